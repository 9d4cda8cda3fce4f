// [gateway]: gatehouse as the front door of a Moonraker (docs/gateway.md), and
// the forward-auth endpoint's sign-in hint.
import { duration, invalid, MAX_TIMER_MS, type ValueType } from '../values.js';
import { option, section } from '../option.js';
import { text } from '../values.js';

/** An http(s) origin with nothing after it: the upstream gets exactly the paths gatehouse checked. */
export function upstreamOrigin(s: string): string {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return invalid('not a URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') invalid('must start with http:// or https://');
  if (u.username || u.password) invalid('must not carry credentials');
  if (u.pathname !== '/' || u.search || u.hash || /[?#]/.test(s)) invalid('must be an origin only, like http://127.0.0.1:7126 (no path or query)');
  return u.origin;
}

/** `/gatehouse/`: starts and ends with `/`, plain segments only (no dot segments, no `//`, no escapes). */
export function pathPrefix(s: string): string {
  if (!/^\/(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*\/)+$/.test(s) || /\/\.\.?\//.test(s)) invalid('must look like /gatehouse/ (segments of letters, digits, ".", "_", "~", "-", each followed by "/")');
  return s;
}

/** A text value checked by `f`, refused as `"<value>": <why>`. */
function checked(what: string, f: (s: string) => string): ValueType<string> {
  const schema = text.transform((s, ctx) => {
    try {
      return f(s);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(s)}: ${(err as Error).message}` });
      return '';
    }
  });
  return Object.assign(schema as unknown as ValueType<string>, { what });
}

const MAX_WAIT_S = Math.floor(MAX_TIMER_MS / 1000);
const atLeastOneSecond = Object.assign(
  duration.refine((n) => n >= 1, 'must be at least 1s (the wait is always bounded)').refine((n) => n <= MAX_WAIT_S, `must be at most ${MAX_WAIT_S}s (a timer holds no more)`),
  { what: `a duration from 1s to ${MAX_WAIT_S}s` },
) as ValueType<number>;

export const gateway = section('gatehouse in front of a Moonraker, and /auth/verify', {
  moonraker_upstream: option(checked('an http(s) origin', upstreamOrigin), 'Unset: no gateway. Set: every request outside gatehouse\'s own paths is forwarded here once authenticated.'),
  prefix: option(checked('a path like /gatehouse/', pathPrefix), "Gatehouse's own pages on the Moonraker listener; never forwarded.", '/gatehouse/'),
  login_url: option(text, 'Where /auth/verify sends a browser to sign in (default: <prefix>login).'),
  upstream_timeout: option(atLeastOneSecond, "Longest wait for the upstream's response headers, and between two chunks of a body; then 504.", '300s'),
  upstream_connect_timeout: option(atLeastOneSecond, 'Longest wait for a connection to the upstream; then 504.', '10s'),
});

/**
 * Why the faces cannot share the Moonraker listener with a gateway in front of
 * a Moonraker (undefined: they can). Checked for config files and libraries alike.
 */
export function gatewayConflict(
  upstream: string | undefined,
  g: { moonraker_enabled: boolean; grafana_enabled: boolean; grafana_port?: number },
): string | undefined {
  if (!upstream) return undefined;
  if (!g.moonraker_enabled) return 'needs the Moonraker face ([gatehouse] moonraker_enabled)';
  if (g.grafana_enabled && g.grafana_port === undefined) {
    return 'the Grafana face needs a listener of its own: Moonraker has /api routes of its own, which the gateway forwards. ' +
      'Set [gatehouse] grafana_port (e.g. 3001), or grafana_enabled: False';
  }
  return undefined;
}

// [gateway]: gatehouse as the front door of a Moonraker (docs/gateway.md), and
// the forward-auth endpoint's sign-in hint.
import { z } from 'zod';
import { duration, invalid } from '../values.js';

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

/** A parser that reports a bad entry as `invalid entry "<value>": <why>` via list(); used here for one value. */
const checked = (f: (s: string) => string) => z.string().transform((s, ctx) => {
  try {
    return f(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(s)}: ${(err as Error).message}` });
    return z.NEVER;
  }
});

const atLeastOneSecond = duration.refine((n) => n >= 1, 'must be at least 1s (the wait is always bounded)');

export const gateway = z.object({
  /** Unset: no gateway. Set: every request outside gatehouse's own paths is forwarded here once authenticated. */
  moonraker_upstream: checked(upstreamOrigin).optional(),
  /** Gatehouse's own pages on the Moonraker listener; never forwarded. */
  prefix: checked(pathPrefix).default('/gatehouse/'),
  /** Where /auth/verify sends a browser to sign in. Default: <prefix>login. */
  login_url: z.string().optional(),
  /** Longest wait for the upstream's response headers, and between two chunks of a body; then 504. */
  upstream_timeout: atLeastOneSecond.default(300),
  /** Longest wait for a connection to the upstream; then 504. */
  upstream_connect_timeout: atLeastOneSecond.default(10),
});

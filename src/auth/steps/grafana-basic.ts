// Basic user:password, the user named by login or email. Verified pairs are
// cached (as a keyed hash, never the password) so repeated requests skip the hash;
// the brute-force check still runs first.
import type { GrafanaAuthStep } from '../grafana.js';
import { header, type AuthRequest } from '../pipeline.js';
import { then } from '../../core/maybe-promise.js';

type Creds = { username: string; password: string };

/**
 * The request's Basic credentials, decoded once per request: the API-key and
 * Basic steps each look at them (test, then authenticate), up to three decodes.
 */
export function basicOf(req: AuthRequest): Creds | undefined {
  if (req.basic === undefined) req.basic = decodeBasic(header(req, 'authorization') ?? '') ?? null;
  return req.basic ?? undefined;
}

/** Go's Request.BasicAuth(): scheme case-insensitive, standard base64, split at the first colon. */
export function decodeBasic(auth: string): Creds | undefined {
  if (auth.length < 6 || auth.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
  const b64 = auth.slice(6);
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64)) return undefined;
  const text = Buffer.from(b64, 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i < 0) return undefined;
  return { username: text.slice(0, i), password: text.slice(i + 1) };
}

export const grafanaBasic: GrafanaAuthStep = {
  name: 'grafana-basic',
  test(req, g) {
    if (!g.opts.basicAuthEnabled) return false;
    const creds = basicOf(req);
    // `api_key:` is the API-key step's; a real account named so cannot use Basic.
    return !!creds && creds.username !== 'api_key';
  },
  authenticate(req, g, orgId) {
    const { username, password } = basicOf(req)!;
    return then(g.verifyPassword(username, password, req.ip, { cache: true }), (user) => g.userIdentity(user, orgId, 'basic'));
  },
};

// Basic user:password, the user named by login or email. Verified pairs are
// cached (as an HMAC, never the password) so repeated requests skip the hash;
// the brute-force check still runs first.
import type { GrafanaAuthStep } from '../grafana.js';
import { header } from '../pipeline.js';

/** Go's Request.BasicAuth(): scheme case-insensitive, standard base64, split at the first colon. */
export function decodeBasic(auth: string): { username: string; password: string } | undefined {
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
    const creds = decodeBasic(header(req, 'authorization') ?? '');
    // `api_key:` is the API-key step's; a real account named so cannot use Basic.
    return !!creds && creds.username !== 'api_key';
  },
  async authenticate(req, g, orgId) {
    const { username, password } = decodeBasic(header(req, 'authorization') ?? '')!;
    const user = await g.verifyPassword(username, password, req.ip, { cache: true });
    return g.userIdentity(user, orgId, 'basic');
  },
};

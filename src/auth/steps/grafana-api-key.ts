// Grafana API keys and service-account tokens: `Authorization: Bearer <key>`
// (prefix case-sensitive, as Grafana's), or Basic `api_key:<key>`. A malformed
// key (bad base64/JSON, bad glsa_ checksum) is refused before any lookup; the
// lookup itself is an in-memory index.
import type { GrafanaAuthStep } from '../grafana.js';
import { header, type AuthRequest } from '../pipeline.js';
import { basicOf } from './grafana-basic.js';
import { then } from '../../core/maybe-promise.js';
import type { GrafanaCore } from '../../core/grafana/grafana-core.js';

/** The key a request presents ('' when none); a Basic header seen before with a key that verified is not decoded again. */
export function apiKeyFromRequest(req: AuthRequest, g: GrafanaCore): string {
  const auth = header(req, 'authorization') ?? '';
  if (auth.startsWith('Bearer ')) return auth.slice(7);
  if (auth.startsWith('Basic ')) {
    const known = g.keys.keyOfBasicHeader(auth);
    if (known !== undefined) return known;
    const creds = basicOf(req);
    if (creds && creds.username === 'api_key') return creds.password;
  }
  return '';
}

export const grafanaApiKey: GrafanaAuthStep = {
  name: 'grafana-api-key',
  test: (req, g) => apiKeyFromRequest(req, g) !== '',
  authenticate(req, g, orgId) {
    const key = apiKeyFromRequest(req, g);
    return then(g.keys.verify(key, orgId, req.ip), (record) => {
      const auth = header(req, 'authorization')!;
      if (auth.startsWith('Basic ')) g.keys.rememberBasicHeader(auth, key);
      return g.keyIdentity(record);
    });
  },
};

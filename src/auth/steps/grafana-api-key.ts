// Grafana API keys and service-account tokens: `Authorization: Bearer <key>`
// (prefix case-sensitive, as Grafana's), or Basic `api_key:<key>`. A malformed
// key (bad base64/JSON, bad glsa_ checksum) is refused before any lookup; the
// lookup itself is an in-memory index.
import type { GrafanaAuthStep } from '../grafana.js';
import { header, type AuthRequest } from '../pipeline.js';
import { basicOf } from './grafana-basic.js';
import { then } from '../../core/maybe-promise.js';

export function apiKeyFromRequest(req: AuthRequest): string {
  const auth = header(req, 'authorization') ?? '';
  if (auth.startsWith('Bearer ')) return auth.slice(7);
  if (auth.startsWith('Basic ')) {
    const creds = basicOf(req);
    if (creds && creds.username === 'api_key') return creds.password;
  }
  return '';
}

export const grafanaApiKey: GrafanaAuthStep = {
  name: 'grafana-api-key',
  test: (req) => apiKeyFromRequest(req) !== '',
  authenticate(req, g, orgId) {
    return then(g.keys.verify(apiKeyFromRequest(req), orgId, req.ip), (key) => g.keyIdentity(key));
  },
};

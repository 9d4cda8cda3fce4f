// Grafana API keys and service-account tokens: `Authorization: Bearer <key>`
// (prefix case-sensitive, as Grafana's), or Basic `api_key:<key>`. A malformed
// key (bad base64/JSON, bad glsa_ checksum) is refused before any lookup.
import { defineStep } from '../step.js';

export const grafanaApiKey = defineStep<string>({
  name: 'grafana-api-key',
  match(req, core) {
    if (!core.config.gatehouse.grafana_enabled) return undefined;
    const auth = req.header('authorization') ?? '';
    if (auth.startsWith('Bearer ')) return auth.slice(7) || undefined;
    const creds = req.basic;
    return creds?.username === 'api_key' && creds.password ? creds.password : undefined;
  },
  async verify(key, req, core) {
    return core.verify.grafanaKey(await core.keys.verify(key, req.requestedOrg, req.ip));
  },
});

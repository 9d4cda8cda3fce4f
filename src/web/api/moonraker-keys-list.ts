// GET <prefix>api/moonraker/keys: the named Moonraker keys (issue 20), never the keys
// themselves; times as ISO strings, null when never / not set. Server admins only.
import { defineRoute } from '../../faces/grafana/route.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export default defineRoute({
  method: 'GET',
  url: '/moonraker/keys',
  access: { server: true, action: 'moonraker.apikey:read' },
  async handle({ core }) {
    return core.moonrakerKeys.list()
      .map((k) => ({ name: k.name, scope: k.scope, createdAt: iso(k.createdAt), expiresAt: iso(k.expiresAt), lastUsedAt: iso(k.lastUsedAt) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  },
});

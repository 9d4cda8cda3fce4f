// POST <prefix>api/moonraker/api-key: replaces Moonraker's global API key (the old one
// stops working at once). Server admins only.
import { defineRoute } from '../../faces/grafana/route.js';

export default defineRoute({
  method: 'POST',
  url: '/moonraker/api-key',
  access: { server: true, action: 'moonraker.apikey:write' },
  async handle({ core, identity, ip }) {
    return { key: await core.apiKey.rotate(identity, ip) };
  },
});

// GET <prefix>api/moonraker/api-key: Moonraker's global API key. Server admins only.
import { defineRoute } from '../../faces/grafana/route.js';

export default defineRoute({
  method: 'GET',
  url: '/moonraker/api-key',
  access: { server: true, action: 'moonraker.apikey:read' },
  async handle({ core }) {
    return { key: core.apiKey.get() };
  },
});

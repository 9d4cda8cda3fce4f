// GET /api/login/ping: 200 when signed in, else 401. Credentials that fail count as none.
import { GrafanaErrors as G } from '../../../core/grafana/errors.js';
import { defineRoute } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/login/ping',
  auth: 'optional',
  async handle({ identity }) {
    if (!identity) throw G.legacy(401, 'Unauthorized');
    return { message: 'Logged in' };
  },
});

// GET /api/login/ping: 200 when signed in, else 401. Credentials that fail count as none.
import { GrafanaError } from '../errors.js';
import { defineRoute } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/login/ping',
  auth: 'optional',
  async handle({ identity }) {
    if (!identity) throw new GrafanaError('LOGIN_PING_UNAUTHORIZED');
    return { message: 'Logged in' };
  },
});

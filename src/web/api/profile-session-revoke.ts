// DELETE <prefix>api/profile/sessions/:id: ends one other login of the signed-in account
// (404 when it is not one of its live logins; not this browser session: sign out for that).
import { GrafanaError } from '../../faces/grafana/errors.js';
import { defineRoute, intParam, requireUser } from '../../faces/grafana/route.js';

export default defineRoute({
  method: 'DELETE',
  url: '/profile/sessions/:id',
  async handle({ core, identity, params }) {
    const userId = requireUser(identity);
    const id = intParam(params.id, 'ID_INVALID');
    if (await core.webSessions.isActive(userId, id, identity)) throw new GrafanaError('AUTH_TOKEN_ACTIVE');
    await core.webSessions.revoke(userId, id);
    return { message: 'Session revoked' };
  },
});

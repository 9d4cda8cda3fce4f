// GET /api/admin/users/:id/auth-tokens: the account's live logins on both faces
// (browser sessions and Moonraker logins, gatehouse's one account). Server admin.
import { GrafanaError } from '../errors.js';
import { userToken } from '../user-agent.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/admin/users/:id/auth-tokens',
  access: { server: true, action: 'users.authtoken:read' },
  async handle({ core, identity, params }) {
    const u = core.accounts.getById(intParam(params.id, 'ID_INVALID'));
    if (!u || u.isServiceAccount) throw new GrafanaError('USER_NOT_FOUND');
    return (await core.webSessions.listForUser(u.id, identity)).map(userToken);
  },
});

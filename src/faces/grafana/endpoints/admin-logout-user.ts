// POST /api/admin/users/:id/logout: ends every login of the account on both faces
// (Basic auth is no session and keeps working); not the caller's own. Server admin.
import { GrafanaError } from '../errors.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'POST',
  url: '/api/admin/users/:id/logout',
  access: { server: true, action: 'users:logout' },
  async handle({ core, identity, params }) {
    const id = intParam(params.id, 'ID_INVALID');
    if (id === identity.userId) throw new GrafanaError('LOGOUT_SELF');
    const u = core.accounts.getById(id);
    if (!u || u.isServiceAccount) throw new GrafanaError('USER_NOT_FOUND');
    core.accounts.checkRights(identity, u, 'change');
    await core.webSessions.revokeAll(id, identity.username);
    return { message: 'User logged out' };
  },
});

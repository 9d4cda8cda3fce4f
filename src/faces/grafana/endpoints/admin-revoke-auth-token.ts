// POST /api/admin/users/:id/revoke-auth-token {"authTokenId"}: ends one login of
// the account, at once; not the one this request rides on. Server admin.
import { goInt, goStruct } from '../bind.js';
import { GrafanaError } from '../errors.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'POST',
  url: '/api/admin/users/:id/revoke-auth-token',
  access: { server: true, action: 'users.authtoken:write' },
  body: goStruct({ authTokenId: goInt }),
  async handle({ core, identity, body, params }) {
    const u = core.accounts.getById(intParam(params.id, 'ID_INVALID'));
    if (!u || u.isServiceAccount) throw new GrafanaError('USER_NOT_FOUND');
    if (await core.webSessions.isActive(u.id, body.authTokenId, identity)) throw new GrafanaError('AUTH_TOKEN_ACTIVE');
    core.accounts.checkRights(identity, u, 'change');
    await core.webSessions.revoke(u.id, body.authTokenId);
    return { message: 'User auth token revoked' };
  },
});

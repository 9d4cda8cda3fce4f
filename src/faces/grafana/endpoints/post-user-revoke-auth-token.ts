// POST /api/user/revoke-auth-token {"authTokenId"}: ends another login of the
// signed-in account, at once; not the current one, nor another account's. People only.
import { goInt, goStruct } from '../bind.js';
import { GrafanaError } from '../errors.js';
import { defineRoute, requireUser } from '../route.js';

export default defineRoute({
  method: 'POST',
  url: '/api/user/revoke-auth-token',
  body: goStruct({ authTokenId: goInt }),
  async handle({ core, identity, body }) {
    const userId = requireUser(identity);
    if (await core.webSessions.isActive(userId, body.authTokenId, identity)) throw new GrafanaError('AUTH_TOKEN_ACTIVE');
    await core.webSessions.revoke(userId, body.authTokenId);
    return { message: 'User auth token revoked' };
  },
});

// PUT <prefix>api/users/:id/password {password}: an administrative reset (every login
// of the account ends). Server admins only.
import { z } from 'zod';
import { defineRoute } from '../../faces/grafana/route.js';
import { userOf } from './users-common.js';

export default defineRoute({
  method: 'PUT',
  url: '/users/:id/password',
  access: { server: true, action: 'users.password:write' },
  body: z.object({ password: z.string() }),
  async handle({ core, params, body }) {
    const user = userOf(core, params.id);
    await core.accounts.resetPassword(user.username, body.password);
    return { message: 'User password updated' };
  },
});

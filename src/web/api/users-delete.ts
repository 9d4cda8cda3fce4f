// DELETE <prefix>api/users/:id: deletes an account (not yourself; never the last enabled
// server admin: the core's one authority, src/core/actions/authority.ts). Server admins only.
import { defineRoute } from '../../faces/grafana/route.js';
import { userOf } from './users-common.js';

export default defineRoute({
  method: 'DELETE',
  url: '/users/:id',
  access: { server: true, action: 'users:delete' },
  async handle({ core, identity, params, ip }) {
    const user = userOf(core, params.id);
    await core.accounts.delete({ username: user.username, actor: identity, ip });
    return { message: 'User deleted' };
  },
});

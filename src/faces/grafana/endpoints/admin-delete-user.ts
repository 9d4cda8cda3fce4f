// DELETE /api/admin/users/:id: the account, its memberships and every login of it, on
// both faces at once; never the last enabled server admin (Grafana has no such guard). Server admin.
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'DELETE',
  url: '/api/admin/users/:id',
  access: { server: true, action: 'users:delete' },
  async handle({ core, identity, params }) {
    await core.accounts.deleteById(identity, intParam(params.id, 'ID_INVALID'));
    return { message: 'User deleted' };
  },
});

// POST /api/admin/users/:id/enable: the account's credentials work again (its ended logins stay ended). Server admin.
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'POST',
  url: '/api/admin/users/:id/enable',
  access: { server: true, action: 'users:enable' },
  async handle({ core, identity, params }) {
    await core.accounts.enable(identity, intParam(params.id, 'ID_INVALID'));
    return { message: 'User enabled' };
  },
});

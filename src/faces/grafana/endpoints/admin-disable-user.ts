// POST /api/admin/users/:id/disable: every login of the account ends and no
// credential of it works (cached Basic credentials included) until enabled. Server admin.
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'POST',
  url: '/api/admin/users/:id/disable',
  access: { server: true, action: 'users:disable' },
  async handle({ core, identity, params }) {
    await core.accounts.disable(identity, intParam(params.id, 'ID_INVALID'));
    return { message: 'User disabled' };
  },
});

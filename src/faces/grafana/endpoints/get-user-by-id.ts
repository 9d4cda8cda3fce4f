// GET /api/users/:id: an account's profile (GET /api/user's shape). Server admin.
import { userProfile } from '../dto.js';
import { defineRoute, intParam, queryBool } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/users/:id',
  access: { server: true, action: 'users:read' },
  async handle({ core, params, query }) {
    const u = core.accounts.account(intParam(params.id, 'ID_INVALID'));
    return { ...userProfile(u), ...(queryBool(query.accesscontrol) ? { accessControl: {} } : {}) };
  },
});

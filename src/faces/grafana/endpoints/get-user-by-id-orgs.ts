// GET /api/users/:id/orgs: an account's orgs and roles, by org name ([] for an unknown id). Server admin.
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/users/:id/orgs',
  access: { server: true, action: 'users:read' },
  async handle({ core, params }) {
    return core.orgs.orgsOfUser(intParam(params.id, 'ID_INVALID'));
  },
});

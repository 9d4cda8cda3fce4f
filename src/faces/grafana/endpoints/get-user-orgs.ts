// GET /api/user/orgs: the orgs of the signed-in account with its role in each.
import { defineRoute, requireUser } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/user/orgs',
  async handle({ core, identity }) {
    return core.orgs.orgsOfUser(requireUser(identity));
  },
});

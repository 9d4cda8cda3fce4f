// GET /api/orgs/:orgId/users: the members of that org (GET /api/org/users' shape,
// without its query and limit). Server admin, or an Admin of that org.
import { orgUser } from '../dto.js';
import { defineRoute, inOrgFromParams, intParam } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/orgs/:orgId/users',
  access: inOrgFromParams('org.users:read'),
  async handle({ core, params }) {
    const orgId = intParam(params.orgId, 'ORG_ID_INVALID');
    return core.orgs.members(orgId).map(({ user, role }) => orgUser(core, orgId, user, role));
  },
});

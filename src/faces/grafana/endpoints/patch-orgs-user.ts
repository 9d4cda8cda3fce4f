// PATCH /api/orgs/:orgId/users/:userId {"role"}: a member's role in that org; the org keeps an Admin.
// Server admin, or an Admin of that org.
import { defineRoute, inOrgFromParams, intParam } from '../route.js';
import { roleBody, setOrgRole } from './patch-org-user.js';

export default defineRoute({
  method: 'PATCH',
  url: '/api/orgs/:orgId/users/:userId',
  access: inOrgFromParams('org.users:write'),
  body: roleBody,
  async handle({ core, identity, body, params }) {
    const orgId = intParam(params.orgId, 'ORG_ID_INVALID');
    return setOrgRole(core, identity, orgId, intParam(params.userId, 'USER_ID_INVALID'), body);
  },
});

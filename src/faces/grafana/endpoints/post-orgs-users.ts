// POST /api/orgs/:orgId/users {"loginOrEmail","role"}: adds an account to that org. Server admin, or an Admin of that org.
import { defineRoute, inOrgFromParams, intParam } from '../route.js';
import { addOrgUser, addUserBody } from './post-org-users.js';

export default defineRoute({
  method: 'POST',
  url: '/api/orgs/:orgId/users',
  access: inOrgFromParams('org.users:add'),
  body: addUserBody,
  handle: ({ core, identity, body, params }) => addOrgUser(core, identity, intParam(params.orgId, 'ORG_ID_INVALID'), body),
});

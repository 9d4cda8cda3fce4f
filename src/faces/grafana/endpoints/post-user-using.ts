// POST /api/user/using/:orgId: switches the account's active org (persisted).
import { defineRoute, intParam, requireUser } from '../route.js';

export default defineRoute({
  method: 'POST',
  url: '/api/user/using/:orgId',
  async handle({ core, identity, params }) {
    const orgId = intParam(params.orgId, 'ID_INVALID');
    await core.orgs.setUsingOrg(requireUser(identity), orgId);
    return { message: 'Active organization changed' };
  },
});

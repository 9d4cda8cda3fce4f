// DELETE /api/orgs/:orgId/users/:userId: removes a membership; unlike the current-org
// route it never deletes an account left in no org. Server admin, or an Admin of that org.
import { fail } from '../../../core/errors.js';
import { defineRoute, inOrgFromParams, intParam } from '../route.js';

export default defineRoute({
  method: 'DELETE',
  url: '/api/orgs/:orgId/users/:userId',
  access: inOrgFromParams('org.users:remove'),
  async handle({ core, identity, params }) {
    const userId = intParam(params.userId, 'USER_ID_INVALID');
    const orgId = intParam(params.orgId, 'ORG_ID_INVALID');
    if (core.accounts.getById(userId)?.isServiceAccount) throw fail('MEMBER_REMOVE_FAILED'); // Grafana: 500
    await core.orgs.removeMember(orgId, userId, { deleteOrphan: false, actor: identity });
    return { message: 'User removed from organization' };
  },
});

// DELETE /api/org/users/:userId: removes a member; as in Grafana, an account left
// in no org is deleted ("User deleted"). Org Admin.
import { fail } from '../../../core/errors.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'DELETE',
  url: '/api/org/users/:userId',
  access: { org: 'Admin', action: 'org.users:remove' },
  async handle({ core, identity, params }) {
    const userId = intParam(params.userId, 'USER_ID_INVALID');
    if (core.accounts.getById(userId)?.isServiceAccount) throw fail('MEMBER_REMOVE_FAILED'); // Grafana: 500
    const { userDeleted } = await core.orgs.removeMember(identity.orgId, userId, { deleteOrphan: true, actor: identity });
    return { message: userDeleted ? 'User deleted' : 'User removed from organization' };
  },
});

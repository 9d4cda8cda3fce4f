// DELETE /api/org/users/:userId: removes a member; as in Grafana, an account left
// in no org is deleted ("User deleted"). Org Admin.
import { GrafanaErrors as G } from '../../../core/grafana/errors.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'DELETE',
  url: '/api/org/users/:userId',
  access: { org: 'Admin', action: 'org.users:remove' },
  async handle({ g, identity, params }) {
    const userId = intParam(params.userId);
    if (userId === undefined) throw G.legacy(400, 'userId is invalid');
    const target = g.core.users.getById(userId);
    if (target?.isServiceAccount) throw G.legacy(404, 'Failed to remove user from organization'); // Grafana: 500
    const { userDeleted } = await g.orgs.removeMember(identity.orgId, userId, { deleteOrphan: true, actor: identity.username });
    return { message: userDeleted ? 'User deleted' : 'User removed from organization' };
  },
});

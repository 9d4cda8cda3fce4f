// POST /api/user/using/:orgId: switches the account's active org (persisted).
import { GrafanaErrors as G } from '../../../core/grafana/errors.js';
import { defineRoute, intParam, requireUser } from '../route.js';

export default defineRoute({
  method: 'POST',
  url: '/api/user/using/:orgId',
  async handle({ g, identity, params }) {
    const orgId = intParam(params.orgId);
    if (orgId === undefined) throw G.legacy(400, 'id is invalid');
    await g.orgs.setUsingOrg(requireUser(identity), orgId);
    return { message: 'Active organization changed' };
  },
});

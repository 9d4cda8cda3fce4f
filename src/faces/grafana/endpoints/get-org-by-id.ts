// GET /api/orgs/:orgId. Grafana server admin.
import { fail } from '../../../core/errors.js';
import { orgDetails } from '../dto.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/orgs/:orgId',
  access: { server: true, action: 'orgs:read' },
  async handle({ core, params }) {
    const org = core.orgs.get(intParam(params.orgId, 'ORG_ID_INVALID'));
    if (!org) throw fail('ORG_NOT_FOUND');
    return orgDetails(org);
  },
});

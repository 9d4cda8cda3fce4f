// GET /api/orgs/:orgId. Grafana server admin.
import { GrafanaErrors as G } from '../../../core/grafana/errors.js';
import { orgDetails } from '../dto.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/orgs/:orgId',
  access: { server: true, action: 'orgs:read' },
  async handle({ g, params }) {
    const id = intParam(params.orgId);
    if (id === undefined) throw G.legacy(400, 'orgId is invalid');
    const org = g.orgs.get(id);
    if (!org) throw G.orgNotFound();
    return orgDetails(org);
  },
});

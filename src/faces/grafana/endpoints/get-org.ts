// GET /api/org: the org the request acts in. Any member (orgs:read).
import { GrafanaErrors as G } from '../../../core/grafana/errors.js';
import { orgDetails } from '../dto.js';
import { defineRoute } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/org',
  access: { org: 'Viewer', action: 'orgs:read' },
  handle({ g, identity }) {
    const org = g.orgs.get(identity.orgId);
    if (!org) throw G.orgNotFound();
    return orgDetails(org);
  },
});

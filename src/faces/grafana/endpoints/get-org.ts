// GET /api/org: the org the request acts in. Any member (orgs:read).
import { fail } from '../../../core/errors.js';
import { orgDetails } from '../dto.js';
import { defineRoute } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/org',
  access: { org: 'Viewer', action: 'orgs:read' },
  async handle({ core, identity }) {
    const org = core.orgs.get(identity.orgId);
    if (!org) throw fail('ORG_NOT_FOUND');
    return orgDetails(org);
  },
});

// GET /api/orgs/name/:name: an org by its exact name. Grafana server admin.
import { fail } from '../../../core/errors.js';
import { orgDetails } from '../dto.js';
import { defineRoute } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/orgs/name/:name',
  access: { server: true, action: 'orgs:read' },
  async handle({ core, params }) {
    const org = core.orgs.list().find((o) => o.name === params.name);
    if (!org) throw fail('ORG_NOT_FOUND');
    return orgDetails(org);
  },
});

// PUT /api/org {"name"}: renames the current org. Org Admin (orgs:write).
import { GrafanaErrors as G } from '../../../core/grafana/errors.js';
import { goString, goStruct } from '../bind.js';
import { defineRoute } from '../route.js';

export default defineRoute({
  method: 'PUT',
  url: '/api/org',
  access: { org: 'Admin', action: 'orgs:write' },
  body: goStruct({ name: goString }),
  async handle({ g, identity, body }) {
    if (!body.name) throw G.badRequestData(); // binding:"Required"
    await g.orgs.rename(identity.orgId, body.name);
    return { message: 'Organization updated' };
  },
});

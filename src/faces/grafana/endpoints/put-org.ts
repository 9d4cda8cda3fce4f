// PUT /api/org {"name"}: renames the current org. Org Admin (orgs:write).
import { goString, goStruct } from '../bind.js';
import { GrafanaError } from '../errors.js';
import { defineRoute } from '../route.js';

export default defineRoute({
  method: 'PUT',
  url: '/api/org',
  access: { org: 'Admin', action: 'orgs:write' },
  body: goStruct({ name: goString }),
  async handle({ core, identity, body }) {
    if (!body.name) throw new GrafanaError('BAD_REQUEST_DATA'); // binding:"Required"
    await core.orgs.rename(identity.orgId, body.name);
    return { message: 'Organization updated' };
  },
});

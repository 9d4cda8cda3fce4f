// POST /api/orgs {"name"}: creates an org whose creator becomes its Admin.
// Grafana server admins, or anyone signed in when [users] allow_org_create.
import { goString, goStruct } from '../bind.js';
import { GrafanaError } from '../errors.js';
import { defineRoute } from '../route.js';

export default defineRoute({
  method: 'POST',
  url: '/api/orgs',
  access: {
    custom(id, core) {
      if (!id.isGrafanaAdmin && !core.config.users.allow_org_create) throw new GrafanaError('ACCESS_DENIED', { action: 'orgs:create' });
    },
  },
  body: goStruct({ name: goString }),
  async handle({ core, identity, body }) {
    if (!body.name) throw new GrafanaError('BAD_REQUEST_DATA');
    const creator = identity.kind === 'user' ? identity.userId : null;
    const org = await core.orgs.create(body.name, creator, identity.username);
    return { orgId: org.id, message: 'Organization created' };
  },
});

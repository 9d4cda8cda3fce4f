// POST /api/orgs {"name"}: creates an org whose creator becomes its Admin.
// Grafana server admins, or anyone signed in when [users] allow_org_create.
import { GrafanaErrors as G } from '../../../core/grafana/errors.js';
import { goString, goStruct } from '../bind.js';
import { defineRoute } from '../route.js';

export default defineRoute({
  method: 'POST',
  url: '/api/orgs',
  access: { custom: (id, g) => { if (!id.isGrafanaAdmin && !g.opts.allowOrgCreate) throw G.accessDenied('orgs:create'); } },
  body: goStruct({ name: goString }),
  async handle({ g, identity, body }) {
    if (!body.name) throw G.badRequestData();
    const creator = identity.kind === 'user' ? identity.userId : null;
    const org = await g.orgs.create(body.name, creator, identity.username);
    return { orgId: org.id, message: 'Organization created' };
  },
});

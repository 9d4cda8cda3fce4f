// DELETE /api/orgs/:orgId: not the caller's current org, and never the default
// org (the Moonraker face acts in it). Grafana server admin.
import { DEFAULT_ORG_ID } from '../../../core/core.js';
import { GrafanaErrors as G } from '../../../core/grafana/errors.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'DELETE',
  url: '/api/orgs/:orgId',
  access: { server: true, action: 'orgs:delete' },
  async handle({ g, identity, params }) {
    const id = intParam(params.orgId);
    if (id === undefined) throw G.legacy(400, 'orgId is invalid');
    if (id === identity.orgId) throw G.orgDeleteCurrent();
    if (id === DEFAULT_ORG_ID && g.orgs.get(id)) throw G.legacy(400, 'The default organization cannot be deleted: the Moonraker face acts in it');
    await g.orgs.delete(id, identity.username);
    g.keys.forgetOrg(id);
    return { message: 'Organization deleted' };
  },
});

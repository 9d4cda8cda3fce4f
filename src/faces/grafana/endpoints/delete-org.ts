// DELETE /api/orgs/:orgId: not the caller's current org, and never the default
// org (the Moonraker face acts in it). Grafana server admin.
import { DEFAULT_ORG_ID } from '../../../core/model.js';
import { GrafanaError } from '../errors.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'DELETE',
  url: '/api/orgs/:orgId',
  access: { server: true, action: 'orgs:delete' },
  async handle({ core, identity, params }) {
    const id = intParam(params.orgId, 'ORG_ID_INVALID');
    if (id === identity.orgId) throw new GrafanaError('ORG_DELETE_CURRENT');
    if (id === DEFAULT_ORG_ID && core.orgs.get(id)) throw new GrafanaError('ORG_DELETE_DEFAULT');
    await core.orgs.delete(id, identity.username);
    return { message: 'Organization deleted' };
  },
});

// DELETE /api/auth/keys/:id: a key of the current org (not a service-account
// token). The next request presenting it is refused. Org Admin.
import { GrafanaErrors as G } from '../../../core/grafana/errors.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'DELETE',
  url: '/api/auth/keys/:id',
  access: { org: 'Admin', action: 'apikeys:delete' },
  async handle({ g, identity, params }) {
    const id = intParam(params.id);
    if (id === undefined) throw G.legacy(400, 'id is invalid');
    const key = g.keys.get(id);
    if (!key || key.orgId !== identity.orgId || key.serviceAccountId !== null) throw G.keyDeleteFailed();
    if (!(await g.keys.delete(id, identity.username))) throw G.keyDeleteFailed();
    return { message: 'API key deleted' };
  },
});

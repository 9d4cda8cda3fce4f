// DELETE /api/auth/keys/:id: a key of the current org (not a service-account
// token). The next request presenting it is refused. Org Admin.
import { GrafanaError } from '../errors.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'DELETE',
  url: '/api/auth/keys/:id',
  access: { org: 'Admin', action: 'apikeys:delete' },
  async handle({ core, identity, params }) {
    const id = intParam(params.id, 'ID_INVALID');
    const key = core.keys.get(id);
    if (!key || key.orgId !== identity.orgId || key.serviceAccountId !== null) throw new GrafanaError('KEY_DELETE_FAILED');
    if (!(await core.keys.delete(id, identity.username))) throw new GrafanaError('KEY_DELETE_FAILED');
    return { message: 'API key deleted' };
  },
});

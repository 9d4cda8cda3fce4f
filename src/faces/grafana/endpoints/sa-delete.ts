// DELETE /api/serviceaccounts/:serviceAccountId: the account and its tokens. Org Admin.
import { GrafanaErrors as G } from '../../../core/grafana/errors.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'DELETE',
  url: '/api/serviceaccounts/:serviceAccountId',
  access: { org: 'Admin', action: 'serviceaccounts:delete' },
  async handle({ g, identity, params }) {
    const id = intParam(params.serviceAccountId);
    if (id === undefined) throw G.legacy(400, 'Service account ID is invalid');
    await g.serviceAccounts.delete(identity.orgId, id, identity.username);
    return { message: 'Service account deleted' };
  },
});

// DELETE /api/serviceaccounts/:serviceAccountId/tokens/:tokenId. Org Admin.
import { GrafanaErrors as G } from '../../../core/grafana/errors.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'DELETE',
  url: '/api/serviceaccounts/:serviceAccountId/tokens/:tokenId',
  access: { org: 'Admin', action: 'serviceaccounts:write' },
  async handle({ g, identity, params }) {
    const id = intParam(params.serviceAccountId);
    if (id === undefined) throw G.saIdInvalid();
    const tokenId = intParam(params.tokenId);
    if (tokenId === undefined) throw G.saTokenIdInvalid();
    if (!g.serviceAccounts.get(identity.orgId, id)) throw G.saNotFound();
    const key = g.keys.get(tokenId);
    if (!key || key.serviceAccountId !== id) throw G.saTokenNotFound();
    if (!(await g.keys.delete(tokenId, identity.username))) throw G.saTokenNotFound();
    return { message: 'Service account token deleted' };
  },
});

// DELETE /api/serviceaccounts/:serviceAccountId/tokens/:tokenId. Org Admin.
import { fail } from '../../../core/errors.js';
import { GrafanaError } from '../errors.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'DELETE',
  url: '/api/serviceaccounts/:serviceAccountId/tokens/:tokenId',
  access: { org: 'Admin', action: 'serviceaccounts:write' },
  async handle({ core, identity, params }) {
    const id = intParam(params.serviceAccountId, 'SA_ID_INVALID');
    const tokenId = intParam(params.tokenId, 'TOKEN_ID_INVALID');
    if (!core.serviceAccounts.get(identity.orgId, id)) throw fail('SA_NOT_FOUND');
    const key = core.keys.get(tokenId);
    if (!key || key.serviceAccountId !== id || !(await core.keys.delete(tokenId, identity.username))) throw new GrafanaError('SA_TOKEN_NOT_FOUND');
    return { message: 'Service account token deleted' };
  },
});

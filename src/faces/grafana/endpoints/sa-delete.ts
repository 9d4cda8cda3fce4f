// DELETE /api/serviceaccounts/:serviceAccountId: the account and its tokens. Org Admin.
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'DELETE',
  url: '/api/serviceaccounts/:serviceAccountId',
  access: { org: 'Admin', action: 'serviceaccounts:delete' },
  async handle({ core, identity, params }) {
    await core.serviceAccounts.delete(identity.orgId, intParam(params.serviceAccountId, 'SA_ID_INVALID_DELETE'), identity.username);
    return { message: 'Service account deleted' };
  },
});

// GET /api/serviceaccounts/:serviceAccountId/tokens. Org Admin.
import { fail } from '../../../core/errors.js';
import { tokenDto } from '../dto.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/serviceaccounts/:serviceAccountId/tokens',
  access: { org: 'Admin', action: 'serviceaccounts:read' },
  async handle({ core, identity, params }) {
    const id = intParam(params.serviceAccountId, 'SA_ID_INVALID');
    if (!core.serviceAccounts.get(identity.orgId, id)) throw fail('SA_NOT_FOUND');
    const now = Date.now();
    return core.keys.tokensOf(id).map((k) => tokenDto(k, now));
  },
});

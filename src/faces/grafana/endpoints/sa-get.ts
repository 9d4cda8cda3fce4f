// GET /api/serviceaccounts/:serviceAccountId. Org Admin.
import { fail } from '../../../core/errors.js';
import { serviceAccountProfile } from '../dto.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/serviceaccounts/:serviceAccountId',
  access: { org: 'Admin', action: 'serviceaccounts:read' },
  async handle({ core, identity, params }) {
    const sa = core.serviceAccounts.get(identity.orgId, intParam(params.serviceAccountId, 'SA_ID_INVALID'));
    if (!sa) throw fail('SA_NOT_FOUND');
    return serviceAccountProfile(core, sa);
  },
});

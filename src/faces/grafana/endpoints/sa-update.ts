// PATCH /api/serviceaccounts/:serviceAccountId {"name"?,"role"?,"isDisabled"?}. Org Admin.
import { goStruct, optBool, optString } from '../bind.js';
import { serviceAccountProfile } from '../dto.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'PATCH',
  url: '/api/serviceaccounts/:serviceAccountId',
  access: { org: 'Admin', action: 'serviceaccounts:write' },
  body: goStruct({ name: optString, role: optString, isDisabled: optBool }),
  bindError: 'SA_BAD_REQUEST_DATA',
  async handle({ core, identity, params, body }) {
    const id = intParam(params.serviceAccountId, 'SA_ID_INVALID');
    const sa = await core.serviceAccounts.update(identity.orgId, id, body, { role: identity.orgRole, isServerAdmin: identity.isGrafanaAdmin });
    const profile = serviceAccountProfile(core, sa);
    return { id: profile.id, name: profile.name, message: 'Service account updated', serviceaccount: profile };
  },
});

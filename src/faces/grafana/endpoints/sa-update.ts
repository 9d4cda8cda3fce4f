// PATCH /api/serviceaccounts/:serviceAccountId {"name"?,"role"?,"isDisabled"?}. Org Admin.
import { GrafanaErrors as G } from '../../../core/grafana/errors.js';
import { goStruct, optBool, optString } from '../bind.js';
import { serviceAccountProfile } from '../dto.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'PATCH',
  url: '/api/serviceaccounts/:serviceAccountId',
  access: { org: 'Admin', action: 'serviceaccounts:write' },
  body: goStruct({ name: optString, role: optString, isDisabled: optBool }),
  bindError: () => G.legacy(400, 'Bad request data'),
  async handle({ g, identity, params, body }) {
    const id = intParam(params.serviceAccountId);
    if (id === undefined) throw G.saIdInvalid();
    const sa = await g.serviceAccounts.update(identity.orgId, id, body, { role: identity.orgRole, isServerAdmin: identity.isGrafanaAdmin });
    const profile = serviceAccountProfile(g, sa);
    return { id: profile.id, name: profile.name, message: 'Service account updated', serviceaccount: profile };
  },
});

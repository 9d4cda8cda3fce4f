// GET /api/serviceaccounts/:serviceAccountId. Org Admin.
import { GrafanaErrors as G } from '../../../core/grafana/errors.js';
import { serviceAccountProfile } from '../dto.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/serviceaccounts/:serviceAccountId',
  access: { org: 'Admin', action: 'serviceaccounts:read' },
  async handle({ g, identity, params }) {
    const id = intParam(params.serviceAccountId);
    if (id === undefined) throw G.saIdInvalid();
    const sa = g.serviceAccounts.get(identity.orgId, id);
    if (!sa) throw G.saNotFound();
    return serviceAccountProfile(g, sa);
  },
});

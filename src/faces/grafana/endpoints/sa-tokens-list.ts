// GET /api/serviceaccounts/:serviceAccountId/tokens. Org Admin.
import { GrafanaErrors as G } from '../../../core/grafana/errors.js';
import { tokenDto } from '../dto.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/serviceaccounts/:serviceAccountId/tokens',
  access: { org: 'Admin', action: 'serviceaccounts:read' },
  async handle({ g, identity, params }) {
    const id = intParam(params.serviceAccountId);
    if (id === undefined) throw G.saIdInvalid();
    if (!g.serviceAccounts.get(identity.orgId, id)) throw G.saNotFound();
    const now = Date.now();
    return g.keys.tokensOf(id).map((k) => tokenDto(k, now));
  },
});

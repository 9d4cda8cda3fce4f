// POST /api/serviceaccounts/:serviceAccountId/tokens {"name","secondsToLive"}:
// 200 with the `glsa_` token, shown once. Same expiry rules as API keys, plus
// [service_accounts] token_expiration_day_limit. Org Admin.
import { GrafanaErrors as G } from '../../../core/grafana/errors.js';
import { goInt, goString, goStruct } from '../bind.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'POST',
  url: '/api/serviceaccounts/:serviceAccountId/tokens',
  access: { org: 'Admin', action: 'serviceaccounts:write' },
  body: goStruct({ name: goString, secondsToLive: goInt }),
  bodyOptional: true,
  bindError: () => G.legacy(400, 'Bad request data'),
  async handle({ g, identity, params, body }) {
    const id = intParam(params.serviceAccountId);
    if (id === undefined) throw G.saIdInvalid();
    const sa = g.serviceAccounts.get(identity.orgId, id);
    if (!sa) throw G.saNotFound();
    if (!body) throw G.legacy(400, 'Bad request data');
    if (!body.name) throw G.legacy(400, 'Bad request data');
    if (body.name.length > 190) throw G.legacy(400, 'Bad request data');
    return g.keys.createToken({ serviceAccountId: id, orgId: identity.orgId, role: sa.role, name: body.name, secondsToLive: body.secondsToLive, actor: identity.username });
  },
});

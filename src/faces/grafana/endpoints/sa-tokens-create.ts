// POST /api/serviceaccounts/:serviceAccountId/tokens {"name","secondsToLive"}:
// 200 with the `glsa_` token, shown once. Same expiry rules as API keys, plus
// [service_accounts] token_expiration_day_limit. Org Admin.
import { fail } from '../../../core/errors.js';
import { goInt, goString, goStruct } from '../bind.js';
import { GrafanaError } from '../errors.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'POST',
  url: '/api/serviceaccounts/:serviceAccountId/tokens',
  access: { org: 'Admin', action: 'serviceaccounts:write' },
  body: goStruct({ name: goString, secondsToLive: goInt }),
  bodyOptional: true,
  bindError: 'SA_BAD_REQUEST_DATA',
  async handle({ core, identity, params, body }) {
    const id = intParam(params.serviceAccountId, 'SA_ID_INVALID');
    const sa = core.serviceAccounts.get(identity.orgId, id);
    if (!sa) throw fail('SA_NOT_FOUND');
    if (!body?.name || body.name.length > 190) throw new GrafanaError('SA_BAD_REQUEST_DATA');
    return core.keys.createToken({ serviceAccountId: id, orgId: identity.orgId, role: sa.role, name: body.name, secondsToLive: body.secondsToLive, actor: identity.username });
  },
});

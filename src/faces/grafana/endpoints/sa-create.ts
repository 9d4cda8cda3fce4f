// POST /api/serviceaccounts {"name","role","isDisabled"}: 201 with the account. Org Admin.
import { goBool, goStruct, optString } from '../bind.js';
import { serviceAccountDto } from '../dto.js';
import { defineRoute } from '../route.js';

export default defineRoute({
  method: 'POST',
  url: '/api/serviceaccounts',
  access: { org: 'Admin', action: 'serviceaccounts:create' },
  body: goStruct({ name: optString, role: optString, isDisabled: goBool }),
  bindError: 'SA_BAD_REQUEST_DATA',
  async handle({ core, identity, body, reply }) {
    const sa = await core.serviceAccounts.create({
      orgId: identity.orgId, name: body.name ?? '', role: body.role, isDisabled: body.isDisabled,
      caller: { role: identity.orgRole, isServerAdmin: identity.isGrafanaAdmin }, actor: identity.username,
    });
    reply.code(201);
    return serviceAccountDto(core, sa);
  },
});

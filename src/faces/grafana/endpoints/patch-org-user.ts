// PATCH /api/org/users/:userId {"role"}: changes a member's role; the org keeps an Admin. Org Admin.
import { fail } from '../../../core/errors.js';
import { isRole, roleIncludes } from '../../../core/model.js';
import { goString, goStruct } from '../bind.js';
import { GrafanaError } from '../errors.js';
import { defineRoute, intParam } from '../route.js';
import type { Core } from '../../../core/core.js';
import type { Identity } from '../../../core/model.js';

export const roleBody = goStruct({ role: goString });

/** updateOrgUserHelper */
export async function setOrgRole(core: Core, identity: Identity, orgId: number, userId: number, body: { role: string }) {
  if (!body.role) throw new GrafanaError('BAD_REQUEST_DATA'); // binding:"Required"
  if (!isRole(body.role)) throw fail('INVALID_ROLE');
  if (!roleIncludes(identity.orgRole, body.role) && !identity.isGrafanaAdmin) throw fail('ROLE_TOO_HIGH');
  await core.orgs.setRole(orgId, userId, body.role, identity);
  return { message: 'Organization user updated' };
}

export default defineRoute({
  method: 'PATCH',
  url: '/api/org/users/:userId',
  access: { org: 'Admin', action: 'org.users:write' },
  body: roleBody,
  handle: ({ core, identity, body, params }) => setOrgRole(core, identity, identity.orgId, intParam(params.userId, 'USER_ID_INVALID'), body),
});

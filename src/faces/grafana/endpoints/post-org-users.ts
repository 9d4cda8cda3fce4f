// POST /api/org/users {"loginOrEmail","role"}: adds an existing account to the current org. Org Admin.
import { fail } from '../../../core/errors.js';
import { isRole, roleIncludes } from '../../../core/model.js';
import { goString, goStruct } from '../bind.js';
import { GrafanaError } from '../errors.js';
import { defineRoute } from '../route.js';
import type { Core } from '../../../core/core.js';
import type { Identity } from '../../../core/model.js';

export const addUserBody = goStruct({ loginOrEmail: goString, role: goString });

/** addOrgUserHelper: the role is checked against the caller's role in its current org. */
export async function addOrgUser(core: Core, identity: Identity, orgId: number, body: { loginOrEmail: string; role: string }) {
  if (!body.loginOrEmail || !body.role) throw new GrafanaError('BAD_REQUEST_DATA');
  if (!isRole(body.role)) throw fail('INVALID_ROLE');
  if (!roleIncludes(identity.orgRole, body.role) && !identity.isGrafanaAdmin) throw fail('ROLE_TOO_HIGH');
  const user = core.accounts.findByLoginOrEmail(body.loginOrEmail);
  if (!user || user.isServiceAccount) throw new GrafanaError('USER_NOT_FOUND');
  if (!core.orgs.get(orgId)) throw fail('ORG_NOT_FOUND'); // a server admin naming an org that does not exist
  await core.orgs.addMember(orgId, user.id, body.role);
  return { message: 'User added to organization', userId: user.id };
}

export default defineRoute({
  method: 'POST',
  url: '/api/org/users',
  access: { org: 'Admin', action: 'org.users:add' },
  body: addUserBody,
  handle: ({ core, identity, body }) => addOrgUser(core, identity, identity.orgId, body),
});

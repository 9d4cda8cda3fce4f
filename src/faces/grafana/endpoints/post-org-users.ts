// POST /api/org/users {"loginOrEmail","role"}: adds an existing account to the current org. Org Admin.
import { fail } from '../../../core/errors.js';
import { isRole, roleIncludes } from '../../../core/model.js';
import { goString, goStruct } from '../bind.js';
import { GrafanaError } from '../errors.js';
import { defineRoute } from '../route.js';

export default defineRoute({
  method: 'POST',
  url: '/api/org/users',
  access: { org: 'Admin', action: 'org.users:add' },
  body: goStruct({ loginOrEmail: goString, role: goString }),
  async handle({ core, identity, body }) {
    if (!body.loginOrEmail || !body.role) throw new GrafanaError('BAD_REQUEST_DATA');
    if (!isRole(body.role)) throw fail('INVALID_ROLE');
    if (!roleIncludes(identity.orgRole, body.role) && !identity.isGrafanaAdmin) throw fail('ROLE_TOO_HIGH');
    const user = core.accounts.findByLoginOrEmail(body.loginOrEmail);
    if (!user || user.isServiceAccount) throw new GrafanaError('USER_NOT_FOUND');
    await core.orgs.addMember(identity.orgId, user.id, body.role);
    return { message: 'User added to organization', userId: user.id };
  },
});

// POST /api/org/users {"loginOrEmail","role"}: adds an existing account to the current org. Org Admin.
import { GrafanaErrors as G } from '../../../core/grafana/errors.js';
import { isRole, roleIncludes } from '../../../core/grafana/roles.js';
import { goString, goStruct } from '../bind.js';
import { defineRoute } from '../route.js';

export default defineRoute({
  method: 'POST',
  url: '/api/org/users',
  access: { org: 'Admin', action: 'org.users:add' },
  body: goStruct({ loginOrEmail: goString, role: goString }),
  async handle({ g, identity, body }) {
    if (!body.loginOrEmail || !body.role) throw G.badRequestData();
    if (!isRole(body.role)) throw G.invalidRole();
    if (!roleIncludes(identity.orgRole, body.role) && !identity.isGrafanaAdmin) throw G.roleTooHigh();
    const user = g.core.users.findByLoginOrEmail(body.loginOrEmail);
    if (!user || user.isServiceAccount) throw G.userNotFound();
    await g.orgs.addMember(identity.orgId, user.id, body.role);
    return { message: 'User added to organization', userId: user.id };
  },
});

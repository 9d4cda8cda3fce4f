// PATCH /api/org/users/:userId {"role"}: changes a member's role; the org keeps an Admin. Org Admin.
import { GrafanaErrors as G } from '../../../core/grafana/errors.js';
import { isRole, roleIncludes } from '../../../core/grafana/roles.js';
import { goString, goStruct } from '../bind.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'PATCH',
  url: '/api/org/users/:userId',
  access: { org: 'Admin', action: 'org.users:write' },
  body: goStruct({ role: goString }),
  async handle({ g, identity, body, params }) {
    const userId = intParam(params.userId);
    if (userId === undefined) throw G.legacy(400, 'userId is invalid');
    if (!body.role) throw G.badRequestData(); // binding:"Required"
    if (!isRole(body.role)) throw G.invalidRole();
    if (!roleIncludes(identity.orgRole, body.role) && !identity.isGrafanaAdmin) throw G.roleTooHigh();
    await g.orgs.setRole(identity.orgId, userId, body.role);
    return { message: 'Organization user updated' };
  },
});

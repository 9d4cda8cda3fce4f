// GET /api/org/users[?query=&limit=]: members of the current org (service accounts excluded). Org Admin.
import { orgUser } from '../dto.js';
import { defineRoute, queryInt } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/org/users',
  access: { org: 'Admin', action: 'org.users:read' },
  async handle({ core, identity, query }) {
    const q = (query.query ?? '').toLowerCase();
    const limit = queryInt(query.limit);
    let members = core.orgs.members(identity.orgId)
      .filter(({ user }) => !q || [user.username, user.email ?? '', user.name].some((s) => s.toLowerCase().includes(q)));
    if (limit > 0) members = members.slice(0, limit);
    return members.map(({ user, role }) => orgUser(core, identity.orgId, user, role));
  },
});

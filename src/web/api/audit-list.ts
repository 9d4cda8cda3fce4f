// GET <prefix>api/audit?event=&user=&since=&until=: the audit trail, newest first,
// at most 200 entries (times in ms since the epoch). Server admins only.
import { defineRoute, queryInt } from '../../faces/grafana/route.js';

export default defineRoute({
  method: 'GET',
  url: '/audit',
  access: { server: true, action: 'audit:read' },
  async handle({ core, query }) {
    const since = queryInt(query.since);
    const until = queryInt(query.until);
    return core.audit.query({
      event: query.event || undefined, username: query.user || undefined,
      since: since > 0 ? since : undefined, until: until > 0 ? until : undefined, limit: 200,
    });
  },
});

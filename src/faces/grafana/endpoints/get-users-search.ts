// GET /api/users/search: {totalCount, users, page, perPage}; perpage ≤ 0 is 1000, page < 1 is 1. Server admin.
import type { Core } from '../../../core/core.js';
import { lastSeenOf, userHit } from '../dto.js';
import { defineRoute, queryInt } from '../route.js';

/** The query parameters as Grafana's SearchUsers reads them, and the page they ask for. */
export function searchOf(core: Core, q: Record<string, string | undefined>) {
  const perPage = queryInt(q.perpage) > 0 ? queryInt(q.perpage) : 1000;
  const page = Math.max(1, queryInt(q.page));
  const sort = (q.sort ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  const found = core.accounts.search({ query: q.query ?? '', sort, page, perPage, seen: (u) => lastSeenOf(core, u) });
  return { ...found, page, perPage };
}

export default defineRoute({
  method: 'GET',
  url: '/api/users/search',
  access: { server: true, action: 'users:read' },
  async handle({ core, query }) {
    const r = searchOf(core, query);
    return { totalCount: r.total, users: r.users.map((u) => userHit(core, u)), page: r.page, perPage: r.perPage };
  },
});

// GET <prefix>api/users?query=&page=&perpage=: the accounts (service accounts left
// out), searched by login, e-mail or name, a page at a time. Server admins only.
import { defineRoute, queryInt } from '../../faces/grafana/route.js';
import { userDto } from './users-common.js';

export default defineRoute({
  method: 'GET',
  url: '/users',
  access: { server: true, action: 'users:read' },
  async handle({ core, query }) {
    const q = (query.query ?? '').trim().toLowerCase();
    const perPage = Math.min(100, Math.max(1, queryInt(query.perpage) || 20));
    const page = Math.max(1, queryInt(query.page) || 1);
    const all = core.accounts.list()
      .filter((u) => !u.isServiceAccount)
      .filter((u) => !q || [u.username, u.email ?? '', u.name].some((f) => f.toLowerCase().includes(q)))
      .sort((a, b) => a.username.localeCompare(b.username));
    return { totalCount: all.length, page, perPage, users: all.slice((page - 1) * perPage, page * perPage).map(userDto) };
  },
});

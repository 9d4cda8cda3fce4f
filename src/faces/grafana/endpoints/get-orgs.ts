// GET /api/orgs[?query=&name=&perpage=&page=]: every org. Grafana server admin.
import { defineRoute, queryInt } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/orgs',
  access: { server: true, action: 'orgs:read' },
  async handle({ core, query }) {
    const q = (query.query ?? '').toLowerCase();
    const perPage = queryInt(query.perpage) > 0 ? queryInt(query.perpage) : 1000;
    const page = Math.max(1, queryInt(query.page));
    return core.orgs.list()
      .filter((o) => (!q || o.name.toLowerCase().includes(q)) && (!query.name || o.name === query.name))
      .slice((page - 1) * perPage, page * perPage)
      .map((o) => ({ id: o.id, name: o.name }));
  },
});

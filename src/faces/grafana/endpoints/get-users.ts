// GET /api/users: one page of accounts as a JSON array (grafana-client walks pages until one is empty). Server admin.
import { userHit } from '../dto.js';
import { defineRoute } from '../route.js';
import { searchOf } from './get-users-search.js';

export default defineRoute({
  method: 'GET',
  url: '/api/users',
  access: { server: true, action: 'users:read' },
  async handle({ core, query }) {
    return searchOf(core, query).users.map((u) => userHit(core, u));
  },
});

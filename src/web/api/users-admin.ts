// PUT <prefix>api/users/:id/admin {isGrafanaAdmin}: grants or takes the server-admin
// flag through the core's one authority (never from the last enabled server admin:
// 400 LAST_SERVER_ADMIN). Server admins only.
import { z } from 'zod';
import { defineRoute } from '../../faces/grafana/route.js';
import { userDto, userOf } from './users-common.js';

export default defineRoute({
  method: 'PUT',
  url: '/users/:id/admin',
  access: { server: true, action: 'users.permissions:write' },
  body: z.object({ isGrafanaAdmin: z.boolean() }),
  async handle({ core, identity, params, body }) {
    const user = userOf(core, params.id);
    await core.accounts.setServerAdmin(identity, user.id, body.isGrafanaAdmin);
    return userDto(core.accounts.getById(user.id) ?? user);
  },
});

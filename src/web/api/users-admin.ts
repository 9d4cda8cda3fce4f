// PUT <prefix>api/users/:id/admin {isGrafanaAdmin}: grants or takes the server-admin
// flag (never from the last server admin). Server admins only.
import { z } from 'zod';
import { defineRoute } from '../../faces/grafana/route.js';
import { keepLastAdmin, userDto, userOf } from './users-common.js';

export default defineRoute({
  method: 'PUT',
  url: '/users/:id/admin',
  access: { server: true, action: 'users.permissions:write' },
  body: z.object({ isGrafanaAdmin: z.boolean() }),
  async handle({ core, params, body }) {
    const user = userOf(core, params.id);
    if (!body.isGrafanaAdmin) keepLastAdmin(core, user);
    return userDto((await core.accounts.update(user.id, { isAdmin: body.isGrafanaAdmin })) ?? user);
  },
});

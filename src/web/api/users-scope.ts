// PUT <prefix>api/users/:id/scope {scope}: the account's Moonraker scope (read, control
// or admin; issue 20), through core.scopes.setUserScope. Server admins only.
import { z } from 'zod';
import { defineRoute } from '../../faces/grafana/route.js';
import { userDto, userOf } from './users-common.js';

export default defineRoute({
  method: 'PUT',
  url: '/users/:id/scope',
  access: { server: true, action: 'users.permissions:write' },
  body: z.object({ scope: z.string() }),
  async handle({ core, identity, params, body, ip }) {
    const user = userOf(core, params.id);
    return userDto(await core.scopes.setUserScope({ username: user.username, scope: body.scope, actor: identity, ip }));
  },
});

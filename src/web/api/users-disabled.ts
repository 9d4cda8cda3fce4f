// PUT <prefix>api/users/:id/disabled {isDisabled}: disables an account (every login of it
// ends; the last enabled server admin never: the core's one authority) or enables it again.
// Server admins only.
import { z } from 'zod';
import { defineRoute } from '../../faces/grafana/route.js';
import { userDto, userOf } from './users-common.js';

export default defineRoute({
  method: 'PUT',
  url: '/users/:id/disabled',
  access: { server: true, action: 'users:disable' },
  body: z.object({ isDisabled: z.boolean() }),
  async handle({ core, identity, params, body }) {
    const user = userOf(core, params.id);
    await (body.isDisabled ? core.accounts.disable(identity, user.id) : core.accounts.enable(identity, user.id));
    return userDto(core.accounts.getById(user.id) ?? user);
  },
});

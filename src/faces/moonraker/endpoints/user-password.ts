import { z } from 'zod';
import { str } from '../../shared/args.js';
import { defineEndpoint } from '../endpoint.js';

export default defineEndpoint({
  http: { method: 'POST', path: '/access/user/password' },
  rpc: 'access.user.password',
  authRequired: true,
  args: z.object({ password: str(4096), new_password: str(4096) }),
  async handle(ctx, a) {
    const username = await ctx.core.accounts.changePassword({ actor: ctx.identity, password: a.password, newPassword: a.new_password, ip: ctx.ip });
    return { username, action: 'user_password_reset' };
  },
});

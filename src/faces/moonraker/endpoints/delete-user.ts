import { z } from 'zod';
import { str } from '../../shared/args.js';
import { defineEndpoint } from '../endpoint.js';

export default defineEndpoint({
  http: { method: 'DELETE', path: '/access/user' },
  rpc: 'access.delete_user',
  authRequired: true,
  args: z.object({ username: str(256) }),
  async handle(ctx, a) {
    await ctx.core.accounts.delete({ username: a.username, actor: ctx.identity, ip: ctx.ip });
    return { username: a.username, action: 'user_deleted' };
  },
});

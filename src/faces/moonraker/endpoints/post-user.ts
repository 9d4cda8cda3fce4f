import { z } from 'zod';
import { str } from '../../shared/args.js';
import { defineEndpoint } from '../endpoint.js';

export default defineEndpoint({
  http: { method: 'POST', path: '/access/user' },
  rpc: 'access.post_user',
  authRequired: true,
  args: z.object({ username: str(256), password: str(4096), source: str(64).optional(), scope: str(16).optional() }),
  async handle(ctx, a) {
    const r = await ctx.core.accounts.create({ ...a, actor: ctx.identity, ip: ctx.ip });
    return { username: r.user.username, token: r.token, source: r.user.source, refresh_token: r.refreshToken, action: 'user_created' };
  },
});

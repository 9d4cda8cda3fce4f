import { z } from 'zod';
import { str } from '../../shared/args.js';
import { defineEndpoint } from '../endpoint.js';

export default defineEndpoint({
  http: { method: 'POST', path: '/access/login' },
  rpc: 'access.login',
  authRequired: false,
  args: z.object({ username: str(256), password: str(4096), source: str(64).optional() }),
  async handle(ctx, a) {
    const r = await ctx.core.login.login({ username: a.username, password: a.password, source: a.source, ip: ctx.ip, userAgent: ctx.userAgent });
    ctx.setConnectionIdentity?.(ctx.core.verify.userIdentity(r.user, 'jwt', r.sessionId));
    return { username: r.user.username, token: r.token, source: r.user.source, refresh_token: r.refreshToken, action: 'user_logged_in' };
  },
});

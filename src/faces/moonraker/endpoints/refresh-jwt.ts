import { z } from 'zod';
import { str } from '../../shared/args.js';
import { defineEndpoint } from '../endpoint.js';

export default defineEndpoint({
  http: { method: 'POST', path: '/access/refresh_jwt' },
  rpc: 'access.refresh_jwt',
  authRequired: false,
  args: z.object({ refresh_token: str(8192) }),
  async handle(ctx, a) {
    const r = await ctx.core.refresh.refresh(a.refresh_token, ctx.ip);
    return {
      username: r.user.username,
      token: r.token,
      source: r.user.source,
      action: 'user_jwt_refresh',
      ...(r.refreshToken ? { refresh_token: r.refreshToken } : {}),
    };
  },
});

import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';

export default defineEndpoint({
  http: { method: 'POST', path: '/access/logout' },
  rpc: 'access.logout',
  authRequired: true,
  args: z.object({}),
  async handle(ctx) {
    const username = await ctx.core.login.logout(ctx.identity, ctx.ip);
    return { username, action: 'user_logged_out' };
  },
});

import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';

export default defineEndpoint({
  http: { method: 'GET', path: '/access/oneshot_token' },
  rpc: 'access.oneshot_token',
  authRequired: true,
  args: z.object({}),
  async handle(ctx) {
    return ctx.core.oneshot.issue(ctx.identity!, ctx.ip);
  },
});

import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';

export default defineEndpoint({
  http: { method: 'POST', path: '/access/api_key' },
  rpc: 'access.post_api_key',
  authRequired: true,
  args: z.object({}),
  async handle(ctx) {
    return ctx.core.apiKey.rotate(ctx.identity, ctx.ip);
  },
});

// DELETE /access/api_keys?name=NAME: revokes a named key at once, also on open
// websockets identified with it.
import { z } from 'zod';
import { str } from '../../shared/args.js';
import { defineEndpoint } from '../endpoint.js';

export default defineEndpoint({
  http: { method: 'DELETE', path: '/access/api_keys' },
  rpc: 'access.api_keys.delete',
  authRequired: true,
  args: z.object({ name: str(64) }),
  async handle(ctx, a) {
    await ctx.core.moonrakerKeys.delete({ name: a.name, actor: ctx.identity, ip: ctx.ip });
    return { name: a.name, action: 'api_key_deleted' };
  },
});

// POST /access/api_keys {name, scope, expires_in?}: a named Moonraker API key
// (issue 20; Moonraker has only its global key). The key is in this answer only.
import { z } from 'zod';
import { str } from '../../shared/args.js';
import { defineEndpoint } from '../endpoint.js';

export default defineEndpoint({
  http: { method: 'POST', path: '/access/api_keys' },
  rpc: 'access.api_keys.create',
  authRequired: true,
  args: z.object({ name: str(64), scope: str(16), expires_in: str(16).optional() }),
  async handle(ctx, a) {
    return ctx.core.moonrakerKeys.create({ name: a.name, scope: a.scope, expiresIn: a.expires_in, actor: ctx.identity, ip: ctx.ip });
  },
});

// POST /access/user/scope {username, scope}: an admin changes a user's scope
// (issue 20). A route of its own rather than a field on POST /access/user, which
// creates accounts (and refuses an existing one) in Moonraker; like
// /access/user/password, it acts on one account's property.
import { z } from 'zod';
import { str } from '../../shared/args.js';
import { defineEndpoint } from '../endpoint.js';

export default defineEndpoint({
  http: { method: 'POST', path: '/access/user/scope' },
  rpc: 'access.user.scope',
  authRequired: true,
  args: z.object({ username: str(256), scope: str(16) }),
  async handle(ctx, a) {
    const u = await ctx.core.scopes.setUserScope({ ...a, actor: ctx.identity, ip: ctx.ip });
    return { username: u.username, source: u.source, scope: u.scope, action: 'user_scope_changed' };
  },
});

import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';

export default defineEndpoint({
  http: { method: 'GET', path: '/access/user' },
  rpc: 'access.get_user',
  authRequired: true,
  args: z.object({}),
  async handle({ core, identity }) {
    if (!identity) return { username: null, source: null, created_on: null, scope: null };
    return { username: identity.username, source: identity.source, created_on: identity.createdOn, scope: core.verify.scopeOf(identity) };
  },
});

import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';

export default defineEndpoint({
  http: { method: 'GET', path: '/access/users/list' },
  rpc: 'access.users.list',
  authRequired: true,
  args: z.object({}),
  async handle({ core }) {
    return {
      users: core.accounts.list().map((u) => ({ username: u.username, source: u.source, created_on: u.createdAt / 1000, scope: u.scope })),
    };
  },
});

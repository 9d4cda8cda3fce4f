// GET /access/api_keys: the named keys, never the keys themselves. Times are
// unix seconds (float) like Moonraker's created_on; null when never / not set.
import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';

const secs = (ms: number | null) => (ms === null ? null : ms / 1000);

export default defineEndpoint({
  http: { method: 'GET', path: '/access/api_keys' },
  rpc: 'access.api_keys.list',
  authRequired: true,
  args: z.object({}),
  async handle({ core }) {
    return {
      api_keys: core.moonrakerKeys.list().map((k) => ({
        name: k.name, scope: k.scope, created_on: k.createdAt / 1000, expires_at: secs(k.expiresAt), last_used: secs(k.lastUsedAt),
      })),
    };
  },
});

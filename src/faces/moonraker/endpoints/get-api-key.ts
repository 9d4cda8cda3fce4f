import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';

export default defineEndpoint({
  http: { method: 'GET', path: '/access/api_key' },
  rpc: 'access.get_api_key',
  authRequired: true,
  args: z.object({}),
  async handle({ core }) {
    return core.apiKey.get();
  },
});

import { z } from 'zod';
import { defineEndpoint } from '../endpoint.js';

export default defineEndpoint({
  http: { method: 'GET', path: '/access/info' },
  rpc: 'access.info',
  authRequired: false,
  args: z.object({}),
  async handle({ core, identity, ip }) {
    return {
      default_source: core.config.authorization.default_source,
      available_sources: core.availableSources(),
      login_required: core.verify.isLoginRequired(),
      trusted: identity?.kind === 'trusted' ? true : await core.trusted.isTrusted(ip),
    };
  },
});

// GET /api/auth/keys[?includeExpired=true]: the current org's API keys (not
// service-account tokens), by name; expired ones only when asked. Org Admin.
import { apiKeyDto } from '../dto.js';
import { defineRoute, queryBool } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/auth/keys',
  access: { org: 'Admin', action: 'apikeys:read' },
  async handle({ core, identity, query }) {
    return core.keys.listLegacy(identity.orgId, queryBool(query.includeExpired)).map(apiKeyDto);
  },
});

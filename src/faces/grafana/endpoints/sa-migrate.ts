// POST /api/serviceaccounts/migrate: every API key of the current org becomes a
// service-account token (the key keeps working, as that account). Grafana 10's
// answer shape. Org Admin.
import { defineRoute } from '../route.js';

export default defineRoute({
  method: 'POST',
  url: '/api/serviceaccounts/migrate',
  access: { org: 'Admin', action: 'serviceaccounts:create' },
  async handle({ core, identity }) {
    return core.serviceAccounts.migrateApiKeys(identity.orgId, identity.username);
  },
});

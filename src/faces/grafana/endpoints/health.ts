// GET (and HEAD) /api/health: no credentials (any are ignored, no session is
// touched); {"database": "ok"|"failing", "version", "commit"}, 503 while the store
// is unreachable (checked at most every 5 s), indented as Grafana writes it.
import { GATEHOUSE_VERSION, grafanaVersion } from '../build-info.js';
import { defineRoute } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/health',
  auth: 'none',
  async handle({ core, reply }) {
    const ok = await core.health.storeHealthy();
    const body = { database: ok ? 'ok' : 'failing', version: grafanaVersion(core.config), commit: GATEHOUSE_VERSION };
    return reply.code(ok ? 200 : 503).type('application/json; charset=UTF-8').send(JSON.stringify(body, null, 2));
  },
});

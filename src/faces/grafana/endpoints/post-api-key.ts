// POST /api/auth/keys {"name","role","secondsToLive"}: the key is in this answer
// only; [quota] org_api_key caps the keys of an org when quotas are on. With
// legacy_api_key_create = "gone" (Grafana 11.3+) it answers 410 whatever the
// body, once authentication and access have passed. Org Admin.
import { goInt, goString, goStruct } from '../bind.js';
import { GrafanaError } from '../errors.js';
import { checkAccess, defineRoute } from '../route.js';

const create = { org: 'Admin', action: 'apikeys:create' } as const;

export default defineRoute({
  method: 'POST',
  url: '/api/auth/keys',
  access: {
    custom(id, core) {
      if (core.config.auth.legacy_api_key_create === 'gone') {
        checkAccess(create, id, core); // Grafana 11.3+: the route answers 410 before looking at the body
        throw new GrafanaError('KEY_CREATE_GONE');
      }
      // Grafana 10: the quota middleware runs first, then access control.
      const q = core.config.quota;
      if (q.enabled && q.org_api_key >= 0 && id.orgId > 0 && core.keys.listLegacy(id.orgId, true).length >= q.org_api_key) {
        throw new GrafanaError('QUOTA_REACHED', { target: 'api_key' });
      }
      checkAccess(create, id, core);
    },
  },
  body: goStruct({ name: goString, role: goString, secondsToLive: goInt }),
  async handle({ core, identity, body }) {
    if (!body.name || !body.role || body.name.length > 190) throw new GrafanaError('BAD_REQUEST_DATA'); // binding:"Required"
    return core.keys.createLegacy({
      orgId: identity.orgId, name: body.name, role: body.role, secondsToLive: body.secondsToLive,
      caller: { role: identity.orgRole, isServerAdmin: identity.isGrafanaAdmin }, actor: identity.username,
    });
  },
});

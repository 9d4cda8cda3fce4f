// POST /api/auth/keys {"name","role","secondsToLive"}: the key is in this answer
// only; [quota] org_api_key caps the keys of an org when quotas are on. With legacy_api_key_create = "gone" (Grafana 11.3+) it answers 410
// whatever the body, once authentication and access have passed. Org Admin.
import { GrafanaErrors as G } from '../../../core/grafana/errors.js';
import { goInt, goString, goStruct } from '../bind.js';
import { checkAccess, defineRoute } from '../route.js';

export default defineRoute({
  method: 'POST',
  url: '/api/auth/keys',
  access: {
    custom(id, g) {
      if (g.opts.legacyApiKeyCreate === 'gone') {
        // Grafana 11.3+: the route answers 410 before looking at the body.
        checkAccess({ org: 'Admin', action: 'apikeys:create' }, id, g);
        throw G.keyCreateGone();
      }
      // Grafana 10: the quota middleware runs first, then access control.
      if (g.opts.quotaEnabled && g.opts.quotaOrgApiKey >= 0 && id.orgId > 0 && g.keys.listLegacy(id.orgId, true).length >= g.opts.quotaOrgApiKey) {
        throw G.quotaReached('api_key');
      }
      checkAccess({ org: 'Admin', action: 'apikeys:create' }, id, g);
    },
  },
  body: goStruct({ name: goString, role: goString, secondsToLive: goInt }),
  async handle({ g, identity, body }) {
    if (!body.name || !body.role) throw G.badRequestData(); // binding:"Required"
    if (body.name.length > 190) throw G.badRequestData();
    return g.keys.createLegacy({
      orgId: identity.orgId, name: body.name, role: body.role, secondsToLive: body.secondsToLive,
      caller: { role: identity.orgRole, isServerAdmin: identity.isGrafanaAdmin }, actor: identity.username,
    });
  },
});

// GET <prefix>api/session: who is signed in, in which org, what they may do, and
// the CSRF token the page sends with every change (src/web/csrf.ts); signed out,
// `{"user": null}` (a 200: the page's first question is not an error in the console).
import { defineRoute, requireUser } from '../../faces/grafana/route.js';
import { csrfOf } from '../csrf.js';

export default defineRoute({
  method: 'GET',
  url: '/session',
  auth: 'optional',
  async handle({ core, identity }) {
    if (!identity) return { user: null };
    const id = requireUser(identity);
    const user = core.accounts.getById(id);
    return {
      user: { id, login: identity.username, name: user?.name ?? '', email: user?.email ?? '', source: identity.source, isGrafanaAdmin: identity.isGrafanaAdmin },
      orgId: identity.orgId,
      orgRole: identity.orgRole,
      orgs: core.orgs.orgsOfUser(id),
      csrfToken: csrfOf(core).of(identity.webSession!),
      apiKeys: core.config.auth.legacy_api_key_create,
    };
  },
});

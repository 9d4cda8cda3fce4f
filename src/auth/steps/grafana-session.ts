// The session cookie from POST /login ([auth] login_cookie_name). An unknown,
// revoked, idle or too old session is refused with Grafana's plain 401.
import { fail } from '../../core/errors.js';
import { defineStep } from '../step.js';

export const grafanaSession = defineStep<string>({
  name: 'grafana-session',
  match: (req, core) => (core.config.gatehouse.grafana_enabled && req.cookies[core.config.auth.login_cookie_name]) || undefined,
  async verify(token, req, core) {
    const session = await core.webSessions.lookup(token);
    const user = session && (await core.accounts.fetchById(session.userId));
    if (!session || !user) throw fail('GRAFANA_SESSION_INVALID');
    return core.verify.grafanaUser(user, req.requestedOrg, 'session', { webSession: session });
  },
});

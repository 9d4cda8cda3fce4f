// The session cookie from POST /login (name: [auth] login_cookie_name). An
// unknown, revoked, idle or too old session is refused with Grafana's plain
// 401 "Unauthorized".
import { GrafanaErrors as G } from '../../core/grafana/errors.js';
import type { GrafanaAuthStep } from '../grafana.js';

export const grafanaSession: GrafanaAuthStep = {
  name: 'grafana-session',
  test: (req, g) => !!req.cookies?.[g.opts.loginCookieName],
  async authenticate(req, g, orgId) {
    const session = await g.sessions.lookup(req.cookies![g.opts.loginCookieName]!);
    const user = session && g.core.users.getById(session.userId);
    if (!session || !user) throw G.sessionInvalid();
    return g.userIdentity(user, orgId, 'session', session);
  },
};

// POST /api/user/auth-tokens/rotate (Grafana 10.3+): replaces the session token
// now; the new one is in the Set-Cookie of this answer.
import { GrafanaError } from '../errors.js';
import { writeSessionCookies } from '../cookies.js';
import { defineRoute } from '../route.js';

export default defineRoute({
  method: 'POST',
  url: '/api/user/auth-tokens/rotate',
  async handle({ core, identity, reply }) {
    if (!identity.webSession) throw new GrafanaError('NOT_A_SESSION');
    const { token, session } = await core.webSessions.rotate(identity.webSession);
    writeSessionCookies(reply, core, token, session);
    return {};
  },
});

// POST /api/user/auth-tokens/rotate (Grafana 10.3+): replaces the session token
// now; the new one is in the Set-Cookie of this answer.
import { GrafanaErrors as G } from '../../../core/grafana/errors.js';
import { defineRoute } from '../route.js';
import { writeSessionCookies } from '../cookies.js';

export default defineRoute({
  method: 'POST',
  url: '/api/user/auth-tokens/rotate',
  async handle({ g, identity, reply }) {
    const session = identity.webSession;
    if (!session) throw G.legacy(400, 'Not a session');
    const token = await g.sessions.rotate(session);
    writeSessionCookies(reply, g, token, session);
    return {};
  },
});

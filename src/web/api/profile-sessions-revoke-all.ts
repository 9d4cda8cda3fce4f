// POST <prefix>api/profile/sessions/revoke-all: "sign out everywhere": every login of the
// signed-in account ends on both faces, this browser session too (the page signs in again).
import { defineRoute, requireUser } from '../../faces/grafana/route.js';

export default defineRoute({
  method: 'POST',
  url: '/profile/sessions/revoke-all',
  async handle({ core, identity }) {
    const count = await core.webSessions.revokeAll(requireUser(identity), identity.username);
    return { message: 'Signed out everywhere', count };
  },
});

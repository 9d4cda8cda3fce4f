// GET /api/user/auth-tokens: the signed-in account's live logins on both faces;
// isActive marks the browser session this request rides on. People only.
import { userToken } from '../user-agent.js';
import { defineRoute, requireUser } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/user/auth-tokens',
  async handle({ core, identity }) {
    return (await core.webSessions.listForUser(requireUser(identity), identity)).map(userToken);
  },
});

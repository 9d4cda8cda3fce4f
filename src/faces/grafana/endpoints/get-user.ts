// GET /api/user: the signed-in account. People only (Grafana 10: 403 for keys and service accounts).
import { GrafanaErrors as G } from '../../../core/grafana/errors.js';
import { userProfile } from '../dto.js';
import { defineRoute, requireUser } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/user',
  async handle({ g, identity }) {
    const user = g.core.users.getById(requireUser(identity));
    if (!user) throw G.userNotFound();
    return userProfile(user);
  },
});

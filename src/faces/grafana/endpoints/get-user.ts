// GET /api/user: the signed-in account. People only (Grafana 10: 403 for keys and service accounts).
import { GrafanaError } from '../errors.js';
import { userProfile } from '../dto.js';
import { defineRoute, requireUser } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/user',
  async handle({ core, identity }) {
    const user = core.accounts.getById(requireUser(identity));
    if (!user) throw new GrafanaError('USER_NOT_FOUND');
    return userProfile(user);
  },
});

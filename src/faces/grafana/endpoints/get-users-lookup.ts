// GET /api/users/lookup?loginOrEmail=: an account by login or email, case-insensitively. Server admin.
import { fail } from '../../../core/errors.js';
import { userProfile } from '../dto.js';
import { defineRoute } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/users/lookup',
  access: { server: true, action: 'users:read' },
  async handle({ core, query }) {
    const u = query.loginOrEmail ? core.accounts.findByLoginOrEmail(query.loginOrEmail) : undefined;
    if (!u || u.isServiceAccount) throw fail('ACCOUNT_NOT_FOUND');
    return userProfile(u);
  },
});

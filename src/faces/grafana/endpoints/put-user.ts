// PUT /api/user {name, email, login, theme}: the signed-in account's own profile
// (PUT /api/users/:id's rules); a new login is the Moonraker username at once. People only.
import { defineRoute, requireUser } from '../route.js';
import { updateUserBody } from './put-user-by-id.js';

export default defineRoute({
  method: 'PUT',
  url: '/api/user',
  body: updateUserBody,
  async handle({ core, identity, body }) {
    const email = body.email.trim();
    const login = body.login.trim();
    await core.accounts.updateProfile(identity, requireUser(identity), { name: body.name, email, login });
    return { message: 'User updated' };
  },
});

// PUT /api/users/:id {name, email, login, theme}: changes an account's profile. Server admin.
// Grafana answers 200 for an id that matches no row; gatehouse 404 "user not found".
import { goString, goStruct } from '../bind.js';
import { defineRoute, intParam } from '../route.js';

export const updateUserBody = goStruct({ name: goString, email: goString, login: goString, theme: goString });

export default defineRoute({
  method: 'PUT',
  url: '/api/users/:id',
  access: { server: true, action: 'users:write' },
  body: updateUserBody,
  async handle({ core, identity, body, params }) {
    const id = intParam(params.id, 'ID_INVALID');
    await core.accounts.updateProfile(identity, id, { name: body.name, email: body.email.trim(), login: body.login.trim() });
    return { message: 'User updated' };
  },
});

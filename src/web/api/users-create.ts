// POST <prefix>api/users {login, password}: a local account (a Viewer of the main org,
// as POST /access/user makes it). Server admins only.
import { z } from 'zod';
import { defineRoute } from '../../faces/grafana/route.js';
import { userDto } from './users-common.js';

export default defineRoute({
  method: 'POST',
  url: '/users',
  access: { server: true, action: 'users:create' },
  body: z.object({ login: z.string(), password: z.string() }),
  async handle({ core, identity, body, ip }) {
    const r = await core.accounts.create({ username: body.login, password: body.password, source: 'moonraker', actor: identity, ip });
    return userDto(r.user);
  },
});

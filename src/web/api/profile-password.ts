// PUT <prefix>api/profile/password {oldPassword, newPassword}: the signed-in user's own
// password. Every other login ends, this browser session too (the page signs in again).
import { z } from 'zod';
import { defineRoute } from '../../faces/grafana/route.js';

export default defineRoute({
  method: 'PUT',
  url: '/profile/password',
  body: z.object({ oldPassword: z.string(), newPassword: z.string() }),
  async handle({ core, identity, body, ip }) {
    await core.accounts.changePassword({ actor: identity, password: body.oldPassword, newPassword: body.newPassword, ip });
    return { message: 'User password changed' };
  },
});

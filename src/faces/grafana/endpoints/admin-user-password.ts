// PUT /api/admin/users/:id/password {"password"}: sets an account's password and
// ends every login of it on both faces (Grafana 12.x does; 10.4 did not). Server admin.
import { goString, goStruct } from '../bind.js';
import { GrafanaError } from '../errors.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'PUT',
  url: '/api/admin/users/:id/password',
  access: { server: true, action: 'users.password:write' },
  body: goStruct({ password: goString }),
  async handle({ core, identity, body, params }) {
    const id = intParam(params.id, 'ID_INVALID');
    if (Buffer.byteLength(body.password) < 4) throw new GrafanaError('ADMIN_PASSWORD_SHORT'); // before the lookup, as Grafana
    const u = core.accounts.account(id);
    if (u.source !== 'moonraker') throw new GrafanaError('EXTERNAL_PASSWORD');
    core.accounts.checkRights(identity, u, 'change');
    await core.accounts.resetPassword(u.username, body.password, identity.username);
    return { message: 'User password updated' };
  },
});

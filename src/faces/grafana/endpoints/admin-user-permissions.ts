// PUT /api/admin/users/:id/permissions {"isGrafanaAdmin"}: the server-admin flag,
// at once; the last enabled server admin keeps it. Server admin.
import { goBool, goStruct } from '../bind.js';
import { defineRoute, intParam } from '../route.js';

export default defineRoute({
  method: 'PUT',
  url: '/api/admin/users/:id/permissions',
  access: { server: true, action: 'users.permissions:write' },
  body: goStruct({ isGrafanaAdmin: goBool }),
  async handle({ core, identity, body, params }) {
    await core.accounts.setServerAdmin(identity, intParam(params.id, 'ID_INVALID'), body.isGrafanaAdmin);
    return { message: 'User permissions updated' };
  },
});

// POST /api/admin/users {email, login, name, password, orgId}: a local account, a
// Viewer of orgId (default: the default org); it signs in on both faces. Server admin.
import { goInt, goString, goStructFold } from '../bind.js';
import { GrafanaError } from '../errors.js';
import { defineRoute } from '../route.js';

export default defineRoute({
  method: 'POST',
  url: '/api/admin/users',
  access: { server: true, action: 'users:create' },
  body: goStructFold({ email: goString, login: goString, name: goString, password: goString, orgId: goInt }),
  async handle({ core, identity, body }) {
    if (!body.password) throw new GrafanaError('BAD_REQUEST_DATA'); // binding:"Required"
    const email = body.email.trim();
    const login = body.login.trim() || email;
    if (!login) throw new GrafanaError('CREATE_NO_LOGIN');
    if (Buffer.byteLength(body.password) < 4) throw new GrafanaError('CREATE_PASSWORD_SHORT');
    const u = await core.accounts.adminCreate({ login, email, name: body.name, password: body.password, orgId: body.orgId, actor: identity, sent: { email: body.email, login: body.login } });
    return { message: 'User created', id: u.id, uid: u.uid };
  },
});

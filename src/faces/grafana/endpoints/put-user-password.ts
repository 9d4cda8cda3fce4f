// PUT /api/user/password {oldPassword, newPassword} (confirmNew is not read, as in
// Grafana): the signed-in account's password. Unlike Grafana 10.4 every other login
// of the account ends, on both faces; the browser session of this request stays. People only.
import { CoreError } from '../../../core/errors.js';
import { MAX_PASSWORD_BYTES } from '../../../core/security/passwords.js';
import { goString, goStruct } from '../bind.js';
import { GrafanaError } from '../errors.js';
import { defineRoute, requireUser } from '../route.js';

export default defineRoute({
  method: 'PUT',
  url: '/api/user/password',
  body: goStruct({ oldPassword: goString, newPassword: goString }),
  async handle({ core, identity, body, ip }) {
    const user = core.accounts.account(requireUser(identity));
    if (user.source !== 'moonraker') throw new GrafanaError('EXTERNAL_PASSWORD');
    if (Buffer.byteLength(body.oldPassword) > MAX_PASSWORD_BYTES) throw new GrafanaError('OLD_PASSWORD_INVALID'); // never hashed
    try {
      await core.accounts.checkCurrentPassword(user, body.oldPassword, ip);
    } catch (err) {
      if (err instanceof CoreError && err.status !== 429) throw new GrafanaError('OLD_PASSWORD_INVALID');
      throw err;
    }
    if (Buffer.byteLength(body.newPassword) <= 4) throw new GrafanaError('NEW_PASSWORD_SHORT');
    await core.accounts.setOwnPassword(identity, user, body.newPassword, ip);
    return { message: 'User password changed' };
  },
});

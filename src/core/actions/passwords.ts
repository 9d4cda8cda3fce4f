// Passwords of local accounts: a user's own change (POST /access/user/password),
// the CLI's reset, and the re-hash of an imported hash at its first login.
import type { Ctx } from '../context.js';
import { fail } from '../errors.js';
import type { Identity, User } from '../model.js';
import { hashPassword, MAX_PASSWORD_BYTES } from '../security/passwords.js';
import { normalizeIp } from '../security/trusted-clients.js';
import { checkNewPassword } from './accounts.js';
import type { LoginActions } from './login.js';

export function passwordActions(ctx: Ctx, login: LoginActions) {
  const { users } = ctx.ix;

  /** A password change ends the account's other logins (token families but `exceptFamily`, browser sessions but `exceptWeb`), before it is answered. */
  async function setPassword(user: User, password: string, exceptFamily?: string, exceptWeb?: number): Promise<void> {
    const passwordHash = await hashPassword(password);
    await ctx.write({
      run: async () => {
        await ctx.store.users.update(user.id, { passwordHash });
        await ctx.store.sessions.revokeForUser(user.id, Date.now(), exceptFamily);
        await ctx.store.webSessions.revokeForUser(user.id, Date.now(), exceptWeb);
      },
      changes: () => [{ kind: 'user', id: user.id }],
    });
  }

  return {
    /** POST /access/user/password. Unlike Moonraker, the user's other logins are revoked. */
    async changePassword(a: { actor: Identity | null; password: string; newPassword: string; ip?: string }): Promise<string> {
      const actor = a.actor;
      if (!actor) throw fail('NO_CURRENT_USER');
      if (actor.source === 'ldap') throw fail('LDAP_PASSWORD_RESET', { username: actor.username });
      if (actor.kind !== 'user' || actor.userId === null) throw fail('RESERVED_RESET', { username: actor.username });
      const user = users.getById(actor.userId);
      if (!user) throw fail('NO_CURRENT_USER');
      if (Buffer.byteLength(a.password) > MAX_PASSWORD_BYTES) throw fail('INVALID_PASSWORD');
      // Checking the current password is a password check like a login: the same limits apply,
      // so a stolen access token cannot be used to guess the password behind it.
      await login.checkCurrentPassword(user, a.password, a.ip === undefined ? undefined : normalizeIp(a.ip));
      checkNewPassword(a.newPassword, 'new_password');
      await setPassword(user, a.newPassword, actor.sessionId);
      await ctx.audit.record('password_changed', { username: user.username, ip: a.ip });
      return user.username;
    },

    /** Administrative reset (CLI, Grafana's server admin): no current password needed; every login of the user is revoked. */
    async resetPassword(username: string, newPassword: string, by = 'cli'): Promise<void> {
      const user = await users.fetch(username);
      if (!user || user.isServiceAccount) throw fail('NO_SUCH_USER', { username });
      if (user.source !== 'moonraker') throw fail('LDAP_PASSWORD_RESET', { username });
      checkNewPassword(newPassword, 'password');
      await setPassword(user, newPassword);
      await ctx.audit.record('password_changed', { username, detail: { by } });
    },

    /** Checks a signed-in account's current password (counted like a login: the same limits apply). */
    checkCurrentPassword: (user: User, password: string, ip?: string) => login.checkCurrentPassword(user, password, ip === undefined ? undefined : normalizeIp(ip)),

    /**
     * PUT /api/user/password, after checkCurrentPassword: every other login of the
     * account ends on both faces; the browser session the change rides on (if any) stays.
     */
    async setOwnPassword(actor: Identity, user: User, newPassword: string, ip?: string): Promise<void> {
      checkNewPassword(newPassword, 'newPassword');
      await setPassword(user, newPassword, undefined, actor.webSession?.id);
      await ctx.audit.record('password_changed', { username: user.username, ip, detail: { face: 'grafana' } });
    },

    /** An imported hash that verified is replaced by argon2id (a login's side effect). */
    async rehash(user: User, password: string): Promise<void> {
      const passwordHash = await hashPassword(password);
      await ctx.write({ run: () => ctx.store.users.update(user.id, { passwordHash }), changes: () => [{ kind: 'user', id: user.id }] });
    },

  };
}

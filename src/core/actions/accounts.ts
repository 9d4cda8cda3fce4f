// Accounts: Moonraker's POST/DELETE /access/user and password changes, the
// CLI's administration, and the deletion every face shares.
import type { Ctx } from '../context.js';
import { fail } from '../errors.js';
import { DEFAULT_ORG_ID, RESERVED_USERS, type Identity, type User, type UserPatch } from '../model.js';
import { newUid } from '../security/crypto.js';
import { hashPassword, MAX_PASSWORD_BYTES } from '../security/passwords.js';
import { normalizeIp } from '../security/trusted-clients.js';
import { validateUsername } from '../security/validation.js';
import { DuplicateError } from '../../store/types.js';
import type { LoginActions, LoginResult } from './login.js';

function checkNewPassword(password: string, key: string) {
  if (!password) throw fail('INVALID_ARGUMENT', { key, why: 'must not be empty' });
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw fail('INVALID_ARGUMENT', { key, why: `must be at most ${MAX_PASSWORD_BYTES} bytes` });
}

export function accountActions(ctx: Ctx, login: LoginActions) {
  const { users } = ctx.ix;

  /** A password change ends the account's other logins (token families but `exceptFamily`, browser sessions), before it is answered. */
  async function setPassword(user: User, password: string, exceptFamily?: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    await ctx.write({
      run: async () => {
        await ctx.store.users.update(user.id, { passwordHash });
        await ctx.store.sessions.revokeForUser(user.id, Date.now(), exceptFamily);
        await ctx.store.webSessions.revokeForUser(user.id, Date.now());
      },
      changes: () => [{ kind: 'user', id: user.id }],
    });
  }

  return {
    /** POST /access/user: creates a local user and logs it in. */
    async create(a: { username: string; password: string; source?: string; actor: Identity | null; ip?: string }): Promise<LoginResult> {
      const source = (a.source ?? ctx.config.authorization.default_source).toLowerCase();
      login.checkSource(source, a.username);
      if (source === 'ldap') throw fail('LDAP_CREATE'); // before availability, as Moonraker
      validateUsername(a.username);
      checkNewPassword(a.password, 'password');
      if (users.get(a.username)) throw fail('USER_EXISTS', { username: a.username });
      const passwordHash = await hashPassword(a.password);
      let user: User;
      try {
        user = await ctx.write({
          run: () => ctx.store.users.create({
            uid: newUid(), username: a.username, email: null, name: '', passwordHash, source: 'moonraker',
            isAdmin: false, isServiceAccount: false, isDisabled: false, orgId: DEFAULT_ORG_ID,
            memberships: [{ orgId: DEFAULT_ORG_ID, role: 'Viewer' }],
          }),
          changes: (u) => [{ kind: 'user', id: u.id }],
        });
      } catch (err) {
        if (err instanceof DuplicateError) throw fail('USER_EXISTS', { username: a.username });
        throw err;
      }
      await ctx.audit.record('user_created', { username: user.username, ip: a.ip, detail: { by: a.actor?.username ?? null } });
      const result = await login.issueTokens(user);
      ctx.events.emitEvent({ name: 'user_created', args: [{ username: user.username }] });
      return result;
    },

    /** DELETE /access/user */
    async delete(a: { username: string; actor: Identity | null; ip?: string }): Promise<void> {
      if (a.actor && a.actor.username === a.username) throw fail('DELETE_SELF', { username: a.username });
      if (RESERVED_USERS.includes(a.username)) throw fail('RESERVED_DELETE', { username: a.username });
      const user = await users.fetch(a.username); // also an account another process created since the last sync
      if (!user || user.isServiceAccount) throw fail('NO_SUCH_USER', { username: a.username });
      await this.remove(user);
      await ctx.audit.record('user_deleted', { username: user.username, ip: a.ip, detail: { by: a.actor?.username ?? null } });
      ctx.events.emitEvent({ name: 'user_deleted', args: [{ username: user.username, userId: user.id }] });
    },

    /** Deletes an account with everything hanging off it (the store cascades: families, sessions, memberships, tokens). */
    async remove(user: User): Promise<void> {
      await ctx.write({ run: () => ctx.store.users.delete(user.id), changes: () => [{ kind: 'user', id: user.id }] });
    },

    /** Changes fields of an account (an admin's action; the CLI and tests). */
    async update(id: number, patch: UserPatch): Promise<User | undefined> {
      await ctx.write({ run: () => ctx.store.users.update(id, patch), changes: () => [{ kind: 'user', id }] });
      return users.getById(id);
    },

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

    /** Administrative reset (CLI): no current password needed; every login of the user is revoked. */
    async resetPassword(username: string, newPassword: string): Promise<void> {
      const user = await users.fetch(username);
      if (!user || user.isServiceAccount) throw fail('NO_SUCH_USER', { username });
      if (user.source !== 'moonraker') throw fail('LDAP_PASSWORD_RESET', { username });
      checkNewPassword(newPassword, 'password');
      await setPassword(user, newPassword);
      await ctx.audit.record('password_changed', { username, detail: { by: 'cli' } });
    },

    /** An imported hash that verified is replaced by argon2id (a login's side effect). */
    async rehash(user: User, password: string): Promise<void> {
      const passwordHash = await hashPassword(password);
      await ctx.write({ run: () => ctx.store.users.update(user.id, { passwordHash }), changes: () => [{ kind: 'user', id: user.id }] });
    },

    list: () => users.list(),
    get: (username: string) => users.get(username),
    getById: (id: number) => users.getById(id),
    findByLoginOrEmail: (login: string) => users.findByLoginOrEmail(login),
  };
}

export type AccountActions = ReturnType<typeof accountActions>;

// Accounts: Moonraker's POST/DELETE /access/user and password changes, the
// CLI's administration, and the deletion every face shares.
import type { Ctx } from '../context.js';
import { fail } from '../errors.js';
import { DEFAULT_ORG_ID, isScope, RESERVED_USERS, type Identity, type User, type UserPatch } from '../model.js';
import { newUid } from '../security/crypto.js';
import { hashPassword, MAX_PASSWORD_BYTES } from '../security/passwords.js';
import { validateUsername } from '../security/validation.js';
import { DuplicateError } from '../../store/types.js';
import { authority } from './authority.js';
import type { LoginActions, LoginResult } from './login.js';

export function checkNewPassword(password: string, key: string) {
  if (!password) throw fail('INVALID_ARGUMENT', { key, why: 'must not be empty' });
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw fail('INVALID_ARGUMENT', { key, why: `must be at most ${MAX_PASSWORD_BYTES} bytes` });
}

export function accountActions(ctx: Ctx, login: LoginActions) {
  const { users } = ctx.ix;
  const rights = authority(ctx);

  return {
    /** POST /access/user: creates a local user and logs it in. */
    async create(a: { username: string; password: string; source?: string; scope?: string; actor: Identity | null; ip?: string }): Promise<LoginResult> {
      const source = (a.source ?? ctx.config.authorization.default_source).toLowerCase();
      const scope = a.scope ?? 'admin'; // Moonraker's behaviour for clients that know nothing of scopes
      if (!isScope(scope)) throw fail('INVALID_SCOPE', { scope });
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
            isAdmin: false, isServiceAccount: false, isDisabled: false, orgId: DEFAULT_ORG_ID, scope,
            memberships: [{ orgId: DEFAULT_ORG_ID, role: 'Viewer' }],
          }),
          changes: (u) => [{ kind: 'user', id: u.id }],
        });
      } catch (err) {
        if (err instanceof DuplicateError) throw fail('USER_EXISTS', { username: a.username });
        throw err;
      }
      await ctx.audit.record('user_created', { username: user.username, ip: a.ip, detail: { by: a.actor?.username ?? null, scope } });
      const result = await login.issueTokens(user); // the caller's tokens, not a login of the account: not in its session list
      ctx.events.emitEvent({ name: 'user_created', args: [{ username: user.username }] });
      return result;
    },

    /** DELETE /access/user */
    async delete(a: { username: string; actor: Identity | null; ip?: string }): Promise<void> {
      if (a.actor && a.actor.username === a.username) throw fail('DELETE_SELF', { username: a.username });
      if (RESERVED_USERS.includes(a.username)) throw fail('RESERVED_DELETE', { username: a.username });
      const user = await users.fetch(a.username); // also an account another process created since the last sync
      if (!user || user.isServiceAccount) throw fail('NO_SUCH_USER', { username: a.username });
      await this.deleteChecked(user, a.actor, a.ip);
    },

    /** Deletes an account if the actor may (authority.ts): the store write, the audit entry, then the notification. */
    async deleteChecked(user: User, actor: Identity | null, ip?: string): Promise<void> {
      rights.check(actor, user, 'remove');
      await this.remove(user);
      await ctx.audit.record('user_deleted', { username: user.username, ip, detail: { by: actor?.username ?? null } });
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

    list: () => users.list(),
    get: (username: string) => users.get(username),
    getById: (id: number) => users.getById(id),
    /** Like getById, reading the store on a miss (an account another instance made a moment ago). */
    fetchById: (id: number) => users.fetchById(id),
    findByLoginOrEmail: (login: string) => users.findByLoginOrEmail(login),
  };
}

export type AccountActions = ReturnType<typeof accountActions>;

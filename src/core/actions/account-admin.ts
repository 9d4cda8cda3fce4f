// Account administration that both faces' admins (Grafana's /api/users and
// /api/admin/users, the CLI, the admin web UI) share: search, create with a
// profile, profile changes, server-admin flag, disable/enable, delete by id.
// Every change asks the one authority first (authority.ts).
import type { Ctx } from '../context.js';
import { fail } from '../errors.js';
import { DEFAULT_ORG_ID, type Identity, type User, type UserPatch } from '../model.js';
import { newUid } from '../security/crypto.js';
import { hashPassword } from '../security/passwords.js';
import { validateUsername } from '../security/validation.js';
import { DuplicateError } from '../../store/types.js';
import { checkNewPassword, type AccountActions } from './accounts.js';
import { authority, type AccountChange } from './authority.js';
import { searchAccounts, type SearchQuery } from './account-search.js';

/** Writes a new local account, a Viewer of `orgId`; a duplicate name is `conflict()`. */
async function insertAccount(ctx: Ctx, a: { login: string; email: string; name: string; password: string; orgId: number }, conflict: () => Error): Promise<User> {
  const passwordHash = await hashPassword(a.password);
  try {
    return await ctx.write({
      run: () => ctx.store.users.create({
        uid: newUid(), username: a.login, email: a.email || null, name: a.name, passwordHash, source: 'moonraker',
        isAdmin: false, isServiceAccount: false, isDisabled: false, orgId: a.orgId, memberships: [{ orgId: a.orgId, role: 'Viewer' }],
      }),
      changes: (u) => [{ kind: 'user', id: u.id }],
    });
  } catch (err) {
    if (err instanceof DuplicateError) throw conflict();
    throw err;
  }
}

export function accountAdminActions(ctx: Ctx, accounts: AccountActions) {
  const { users, orgs } = ctx.ix;
  const rights = authority(ctx);

  /** A person's account by id (service accounts are not users here). */
  const account = (id: number): User => {
    const u = users.getById(id);
    if (!u || u.isServiceAccount) throw fail('ACCOUNT_NOT_FOUND');
    return u;
  };

  /** Another account already known by one of these names (login or email, case-insensitively). */
  const taken = (names: string[], exceptId?: number) => {
    const wanted = new Set(names.filter(Boolean).map((n) => n.toLowerCase()));
    return users.list().some((u) => u.id !== exceptId && (wanted.has(u.username.toLowerCase()) || (!!u.email && wanted.has(u.email.toLowerCase()))));
  };

  const update = async (u: User, patch: UserPatch) => {
    try {
      await accounts.update(u.id, patch);
    } catch (err) {
      if (err instanceof DuplicateError) throw fail('ACCOUNT_LOGIN_CONFLICT');
      throw err;
    }
  };

  return {
    account,

    search: (q: SearchQuery) => searchAccounts(ctx, q),

    /** May `actor` make `change` to `target`? (the one authority: authority.ts) */
    checkRights: (actor: Identity | null, target: User, change: AccountChange) => rights.check(actor, target, change),

    /**
     * POST /api/admin/users: a local account with a profile, a Viewer of `orgId`
     * (default: the default org). `sent`: the names as the request spelt them (for the conflict message).
     */
    async adminCreate(a: { login: string; email: string; name: string; password: string; orgId: number; actor: Identity | null; sent?: { email: string; login: string } }): Promise<User> {
      const orgId = a.orgId || DEFAULT_ORG_ID;
      const conflict = () => fail('ACCOUNT_CREATE_CONFLICT', a.sent ?? { email: a.email, login: a.login });
      if (!orgs.get(orgId)) throw fail('ACCOUNT_CREATE_ORG_NOT_FOUND');
      if (taken([a.login, a.email])) throw conflict();
      validateUsername(a.login, 'login');
      checkNewPassword(a.password, 'password');
      const user = await insertAccount(ctx, { ...a, orgId }, conflict);
      await ctx.audit.record('user_created', { username: user.username, detail: { by: a.actor?.username ?? null, face: 'grafana' } });
      ctx.events.emitEvent({ name: 'user_created', args: [{ username: user.username }] });
      return user;
    },

    /**
     * PUT /api/users/:id and PUT /api/user: Grafana's UpdateUserCommand. Empty fields
     * are kept; an empty login becomes the email; a rename is the Moonraker username too.
     */
    async updateProfile(actor: Identity | null, id: number, p: { name: string; email: string; login: string }): Promise<void> {
      const u = account(id);
      if (u.source !== 'moonraker') throw fail('ACCOUNT_EXTERNAL_UPDATE');
      const login = p.login || p.email;
      if (!login) throw fail('ACCOUNT_EMPTY_LOGIN');
      rights.check(actor, u, 'change');
      if (taken([login, p.email], u.id)) throw fail('ACCOUNT_LOGIN_CONFLICT');
      validateUsername(login, 'login');
      await update(u, { username: login, ...(p.email ? { email: p.email } : {}), ...(p.name ? { name: p.name } : {}) });
      await ctx.audit.record('user_updated', { username: login, detail: { by: actor?.username ?? null, ...(login !== u.username ? { was: u.username } : {}) } });
    },

    /** PUT /api/admin/users/:id/permissions: the server-admin flag (the last enabled server admin keeps it). */
    async setServerAdmin(actor: Identity | null, id: number, isAdmin: boolean): Promise<void> {
      const u = account(id);
      rights.check(actor, u, isAdmin ? 'change' : 'demote');
      await update(u, { isAdmin });
      await ctx.audit.record('user_updated', { username: u.username, detail: { by: actor?.username ?? null, isGrafanaAdmin: isAdmin } });
    },

    ...accountStateActions(ctx, accounts, account),
  };
}

/** Disable, enable, delete by id. */
function accountStateActions(ctx: Ctx, accounts: AccountActions, account: (id: number) => User) {
  const rights = authority(ctx);
  /** Every login of the account ends (both faces), in the same write as `patch`. */
  const updateAndRevoke = (u: User, patch: UserPatch) => ctx.write({
    run: async () => {
      await ctx.store.users.update(u.id, patch);
      await ctx.store.sessions.revokeForUser(u.id, Date.now());
      await ctx.store.webSessions.revokeForUser(u.id, Date.now());
    },
    changes: () => [{ kind: 'user', id: u.id }],
  });
  return {
    /** Disables an account: every login of it ends at once, and no credential of it works until enabled. */
    async disable(actor: Identity | null, id: number): Promise<User> {
      const u = account(id);
      rights.check(actor, u, 'disable');
      await updateAndRevoke(u, { isDisabled: true });
      await ctx.audit.record('user_disabled', { username: u.username, detail: { by: actor?.username ?? null } });
      return u;
    },

    /** Enables an account again (its ended logins stay ended). */
    async enable(actor: Identity | null, id: number): Promise<User> {
      const u = account(id);
      rights.check(actor, u, 'change');
      await accounts.update(u.id, { isDisabled: false });
      await ctx.audit.record('user_enabled', { username: u.username, detail: { by: actor?.username ?? null } });
      return u;
    },

    /** DELETE /api/admin/users/:id: the account with everything hanging off it. */
    async deleteById(actor: Identity | null, id: number): Promise<void> {
      await accounts.deleteChecked(account(id), actor);
    },
  };
}

export type AccountAdminActions = ReturnType<typeof accountAdminActions>;

// Organizations and memberships (Grafana's /api/org* and /api/orgs*, the CLI).
import type { Ctx } from '../context.js';
import { fail } from '../errors.js';
import type { Change } from '../changes.js';
import { DEFAULT_ORG_ID, type Identity, type Org, type Role, type User } from '../model.js';
import { DuplicateError } from '../../store/types.js';
import type { AccountActions } from './accounts.js';
import { authority } from './authority.js';

export interface Member { user: User; role: Role }

/** Members of an org with their account; service accounts only when asked. */
export function members(ctx: Ctx, orgId: number, o: { serviceAccounts?: boolean } = {}): Member[] {
  const { orgs, users } = ctx.ix;
  const out: Member[] = [];
  for (const [userId, role] of orgs.membersOf(orgId)) {
    const user = users.getById(userId);
    if (user && (!user.isServiceAccount || o.serviceAccounts)) out.push({ user, role });
  }
  return out.sort((a, b) => a.user.username.localeCompare(b.user.username));
}


/** Another org of the user to make active (the lowest id), else the default org. */
const fallbackOrg = (ctx: Ctx, userId: number, leaving: number) =>
  ctx.ix.orgs.orgIdsOf(userId).filter((id) => id !== leaving).sort((a, b) => a - b)[0] ?? DEFAULT_ORG_ID;

/** Adds a membership in the store (a duplicate is Grafana's "already member"). */
async function insertMember(ctx: Ctx, orgId: number, userId: number, role: Role): Promise<void> {
  try {
    await ctx.store.orgs.addMember(orgId, userId, role);
  } catch (err) {
    if (err instanceof DuplicateError) throw fail('ALREADY_MEMBER', { userId });
    throw err;
  }
}

/** Organizations: reads, create, rename, delete. */
export function orgActions(ctx: Ctx, accounts: AccountActions) {
  const { orgs } = ctx.ix;
  return {
    members: (orgId: number, o: { serviceAccounts?: boolean } = {}) => members(ctx, orgId, o),
    get: (id: number): Org | undefined => orgs.get(id),
    list: () => orgs.list(),
    roleOf: (userId: number, orgId: number) => orgs.roleOf(userId, orgId),
    orgsOfUser: (userId: number) => orgs.orgsOfUser(userId),

    /** POST /api/orgs: the creator (if any) becomes its Admin. */
    async create(name: string, creatorId: number | null, actor?: string): Promise<Org> {
      let org: Org;
      try {
        org = await ctx.write({
          run: async () => {
            const o = await ctx.store.orgs.create(name);
            if (creatorId !== null) await insertMember(ctx, o.id, creatorId, 'Admin');
            return o;
          },
          changes: (o) => [{ kind: 'org', id: o.id }],
        });
      } catch (err) {
        if (err instanceof DuplicateError) throw fail('ORG_NAME_TAKEN');
        throw err;
      }
      await ctx.audit.record('org_created', { username: actor ?? null, detail: { orgId: org.id, name } });
      return org;
    },

    async rename(id: number, name: string): Promise<void> {
      if (!orgs.get(id)) throw fail('ORG_NOT_FOUND');
      try {
        await ctx.write({ run: () => ctx.store.orgs.rename(id, name), changes: () => [{ kind: 'org', id }] });
      } catch (err) {
        if (err instanceof DuplicateError) throw fail('ORG_RENAME_TAKEN');
        throw err;
      }
    },

    /**
     * DELETE /api/orgs/:id. Its memberships, keys and service accounts go with it;
     * members whose active org it was are moved to another of their orgs.
     */
    async delete(id: number, actor?: string): Promise<void> {
      if (!orgs.get(id)) throw fail('ORG_DELETE_NOT_FOUND');
      for (const { user } of members(ctx, id, { serviceAccounts: true })) {
        if (user.isServiceAccount && user.orgId === id) await accounts.remove(user);
      }
      const moved = members(ctx, id).map((m) => m.user).filter((u) => u.orgId === id).map((u) => ({ id: u.id, orgId: fallbackOrg(ctx, u.id, id) }));
      const affected: Change[] = members(ctx, id).map((m) => ({ kind: 'user', id: m.user.id }));
      await ctx.write({
        run: async () => {
          await ctx.store.orgs.delete(id);
          for (const m of moved) await ctx.store.users.update(m.id, { orgId: m.orgId });
        },
        changes: () => [{ kind: 'org', id }, ...affected],
      });
      await ctx.audit.record('org_deleted', { username: actor ?? null, detail: { orgId: id } });
    },

  };
}

/** Who belongs to an org with which role (an org keeps at least one Admin), and a user's active org. */
export function membershipActions(ctx: Ctx, accounts: AccountActions) {
  const { orgs, users } = ctx.ix;
  const admins = (orgId: number) => members(ctx, orgId).filter((m) => m.role === 'Admin').length;
  const userChange = (id: number): Change => ({ kind: 'user', id });
  const rights = authority(ctx);
  return {
    /** POST /api/org/users; a user without a usable active org gets this one. */
    async addMember(orgId: number, userId: number, role: Role): Promise<void> {
      if (orgs.roleOf(userId, orgId)) throw fail('ALREADY_MEMBER', { userId });
      const u = users.getById(userId);
      await ctx.write({
        run: async () => {
          await insertMember(ctx, orgId, userId, role);
          if (u && !orgs.roleOf(userId, u.orgId)) await ctx.store.users.update(userId, { orgId });
        },
        changes: () => [userChange(userId)],
      });
    },

    /** PATCH /api/org/users/:userId: an org keeps at least one Admin. */
    async setRole(orgId: number, userId: number, role: Role, actor: Identity | null): Promise<void> {
      const current = orgs.roleOf(userId, orgId);
      // Grafana answers 500 here; a missing member is the client's mistake, so 404 (same message).
      if (!current) throw fail('MEMBER_UPDATE_FAILED');
      const target = users.getById(userId);
      if (target) rights.check(actor, target, 'membership');
      if (current === 'Admin' && role !== 'Admin' && admins(orgId) <= 1) throw fail('LAST_ADMIN_ROLE');
      await ctx.write({ run: () => ctx.store.orgs.setRole(orgId, userId, role), changes: () => [userChange(userId)] });
    },

    /**
     * DELETE /api/org/users/:userId. As in Grafana, an account left in no org at
     * all is deleted when `deleteOrphan` (the current-org route); returns whether it was.
     */
    async removeMember(orgId: number, userId: number, o: { deleteOrphan: boolean; actor: Identity | null }): Promise<{ userDeleted: boolean }> {
      const current = orgs.roleOf(userId, orgId);
      if (!current) throw fail('MEMBER_REMOVE_FAILED'); // Grafana: 500
      const user = users.getById(userId);
      if (user) rights.check(o.actor, user, 'membership');
      if (current === 'Admin' && admins(orgId) <= 1) throw fail('LAST_ADMIN_REMOVE');
      const orphan = !!user && o.deleteOrphan && !user.isServiceAccount && orgs.orgIdsOf(userId).every((id) => id === orgId);
      if (user && orphan) {
        rights.check(o.actor, user, 'remove');
        await accounts.remove(user);
        await ctx.audit.record('user_deleted', { username: user.username, detail: { by: o.actor?.username ?? null, reason: 'removed from its last organization' } });
        ctx.events.emitEvent({ name: 'user_deleted', args: [{ username: user.username, userId }] });
        return { userDeleted: true };
      }
      await ctx.write({
        run: async () => {
          await ctx.store.orgs.removeMember(orgId, userId);
          if (user && user.orgId === orgId) await ctx.store.users.update(userId, { orgId: fallbackOrg(ctx, userId, orgId) });
        },
        changes: () => [userChange(userId)],
      });
      return { userDeleted: false };
    },

    /** POST /api/user/using/:orgId */
    async setUsingOrg(userId: number, orgId: number): Promise<void> {
      if (!orgs.roleOf(userId, orgId)) throw fail('NOT_A_VALID_ORG');
      await ctx.write({ run: () => ctx.store.users.update(userId, { orgId }), changes: () => [userChange(userId)] });
    },
  };
}

export type OrgActions = ReturnType<typeof orgActions> & ReturnType<typeof membershipActions>;

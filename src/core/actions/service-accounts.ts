// Grafana service accounts: accounts that belong to one org with one role, and
// act through their `glsa_` tokens. They are user rows (is_service_account) so
// an org membership carries their role, as in Grafana.
import type { Ctx } from '../context.js';
import { fail } from '../errors.js';
import { DEFAULT_ORG_ID, isRole, roleIncludes, SERVICE_ACCOUNT_SOURCE, type Role, type User, type UserPatch } from '../model.js';
import { newUid } from '../security/crypto.js';
import { DuplicateError } from '../../store/types.js';
import type { AccountActions } from './accounts.js';
import type { Caller, GrafanaKeyActions } from './grafana-keys.js';
import type { OrgActions } from './orgs.js';

export interface ServiceAccount { user: User; orgId: number; role: Role }

/** `sa-<name>` in the default org, `sa-<orgId>-<name>` elsewhere; lower case, spaces as dashes. */
export function serviceAccountLogin(orgId: number, name: string): string {
  const slug = name.trim().toLowerCase().replace(/\s+/g, '-');
  return (orgId === DEFAULT_ORG_ID ? `sa-${slug}` : `sa-${orgId}-${slug}`).replace(/--+/g, '-');
}

type Insert = (orgId: number, username: string, name: string, role: Role, isDisabled: boolean) => Promise<User>;

/**
 * POST /api/serviceaccounts/migrate: each API key of the org becomes the token
 * of a new service account `sa-autogen-<name>` with the key's role; the key
 * itself (and its hash) is kept, so it goes on working, now as that account.
 */
async function migrateApiKeys(ctx: Ctx, keys: GrafanaKeyActions, insert: Insert, orgId: number, actor?: string) {
  const legacy = keys.listLegacy(orgId, true);
  const out = { total: legacy.length, migrated: 0, failed: 0, failedApikeyIDs: [] as number[], failedDetails: [] as string[] };
  for (const key of legacy) {
    try {
      const user = await insert(orgId, `sa-autogen-${orgId}-${key.name}`, `sa-autogen-${key.name}`, key.role, false);
      await keys.bindToServiceAccount(key.id, user.id);
      out.migrated++;
    } catch (err) {
      out.failed++;
      out.failedApikeyIDs.push(key.id);
      out.failedDetails.push(`API key name: ${key.name} - Error: ${(err as Error).message}`);
    }
  }
  await ctx.audit.record('service_account_created', { username: actor ?? null, detail: { migratedApiKeys: out.migrated, orgId } });
  return out;
}

/** The service account `id` as seen from `orgId` (undefined when it is not one there). */
function serviceAccount(ctx: Ctx, orgs: OrgActions, orgId: number, id: number): ServiceAccount | undefined {
  const user = ctx.ix.users.getById(id);
  if (!user?.isServiceAccount || user.orgId !== orgId) return undefined;
  const role = orgs.roleOf(id, orgId);
  return role ? { user, orgId, role } : undefined;
}

/** The org's service accounts matching `query` (name or login), by name. */
function serviceAccountsOf(orgs: OrgActions, orgId: number, query: string): ServiceAccount[] {
  const q = query.toLowerCase();
  return orgs.members(orgId, { serviceAccounts: true })
    .filter((m) => m.user.isServiceAccount && m.user.orgId === orgId)
    .filter((m) => !q || m.user.name.toLowerCase().includes(q) || m.user.username.toLowerCase().includes(q))
    .map((m) => ({ user: m.user, orgId, role: m.role }))
    .sort((a, b) => a.user.name.localeCompare(b.user.name) || a.user.id - b.user.id);
}

export function serviceAccountActions(ctx: Ctx, accounts: AccountActions, orgs: OrgActions, keys: GrafanaKeyActions) {
  const { users } = ctx.ix;
  const get = (orgId: number, id: number) => serviceAccount(ctx, orgs, orgId, id);
  const list = (orgId: number, query = '') => serviceAccountsOf(orgs, orgId, query);

  const nameTaken = (orgId: number, name: string, except?: number) =>
    list(orgId).some((sa) => sa.user.id !== except && sa.user.name.toLowerCase() === name.toLowerCase());

  /** A service-account user row with its one membership, in one transaction of the store. */
  const insert: Insert = (orgId, username, name, role, isDisabled) => ctx.write({
    run: () => ctx.store.users.create({
      uid: newUid(), username, email: null, name, passwordHash: null, source: SERVICE_ACCOUNT_SOURCE,
      isAdmin: false, isServiceAccount: true, isDisabled, orgId, memberships: [{ orgId, role }],
    }),
    changes: (u) => [{ kind: 'user', id: u.id }],
  });

  return {
    get, list,

    async create(a: { orgId: number; name: string; role?: string; isDisabled?: boolean; caller: Caller; actor?: string }): Promise<ServiceAccount> {
      const name = a.name.trim();
      if (!name) throw fail('SA_NAME_REQUIRED');
      if (a.role !== undefined && !isRole(a.role)) throw fail('INVALID_ROLE');
      const role: Role = a.role ?? 'Viewer';
      if (!a.caller.isServerAdmin && !roleIncludes(a.caller.role, role)) throw fail('ROLE_TOO_HIGH');
      if (nameTaken(a.orgId, name)) throw fail('SA_EXISTS');
      let user: User;
      try {
        user = await insert(a.orgId, serviceAccountLogin(a.orgId, name), name, role, !!a.isDisabled);
      } catch (err) {
        if (err instanceof DuplicateError) throw fail('SA_EXISTS');
        throw err;
      }
      await ctx.audit.record('service_account_created', { username: a.actor ?? null, detail: { id: user.id, orgId: a.orgId, name, role } });
      return { user: users.getById(user.id) ?? user, orgId: a.orgId, role };
    },

    async update(orgId: number, id: number, patch: { name?: string; role?: string; isDisabled?: boolean }, caller: Caller): Promise<ServiceAccount> {
      if (patch.role !== undefined && !isRole(patch.role)) throw fail('INVALID_ROLE');
      if (patch.role !== undefined && !caller.isServerAdmin && !roleIncludes(caller.role, patch.role)) throw fail('ROLE_TOO_HIGH');
      const sa = get(orgId, id);
      if (!sa) throw fail('SA_NOT_FOUND');
      const userPatch: UserPatch = {};
      if (patch.name !== undefined) {
        userPatch.name = patch.name.trim();
        if (!userPatch.name) throw fail('SA_NAME_REQUIRED');
        if (nameTaken(orgId, userPatch.name, id)) throw fail('SA_EXISTS');
      }
      if (patch.isDisabled !== undefined) userPatch.isDisabled = patch.isDisabled;
      const role = patch.role !== undefined && patch.role !== sa.role ? patch.role : undefined;
      await ctx.write({
        run: async () => {
          if (Object.keys(userPatch).length) await ctx.store.users.update(id, userPatch);
          if (role) await ctx.store.orgs.setRole(orgId, id, role);
        },
        changes: () => [{ kind: 'user', id }],
      });
      return get(orgId, id)!;
    },

    migrateApiKeys: (orgId: number, actor?: string) => migrateApiKeys(ctx, keys, insert, orgId, actor),

    /** Deletes the account and, with it, its tokens. */
    async delete(orgId: number, id: number, actor?: string): Promise<void> {
      const sa = get(orgId, id);
      if (!sa) throw fail('SA_NOT_FOUND');
      await accounts.remove(sa.user);
      await ctx.audit.record('service_account_deleted', { username: actor ?? null, detail: { id, orgId, name: sa.user.name } });
    },
  };
}

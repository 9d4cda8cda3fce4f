// Grafana service accounts: accounts that cannot log in, belong to one org with
// one role, and act through their `glsa_` tokens. They are user rows
// (is_service_account) so an org membership carries their role, as in Grafana.
import type { Core } from '../core.js';
import { DEFAULT_ORG_ID } from '../core.js';
import type { Role, UserRecord } from '../../store/types.js';
import { GrafanaErrors as G } from './errors.js';
import type { OrgService } from './orgs.js';
import type { ApiKeyService, Caller } from './api-keys.js';
import { isRole, roleIncludes } from './roles.js';

export const SERVICE_ACCOUNT_SOURCE = 'service_account';

export interface ServiceAccount { user: UserRecord; orgId: number; role: Role }

/** `sa-<name>` in the default org, `sa-<orgId>-<name>` elsewhere; lower case, spaces as dashes. */
export function serviceAccountLogin(orgId: number, name: string): string {
  const slug = name.trim().toLowerCase().replace(/\s+/g, '-');
  return (orgId === DEFAULT_ORG_ID ? `sa-${slug}` : `sa-${orgId}-${slug}`).replace(/--+/g, '-');
}

export class ServiceAccountService {
  constructor(private core: Core, private orgs: OrgService, private keys: ApiKeyService) {}

  /** The service account `id` as seen from `orgId` (undefined when it is not one there). */
  get(orgId: number, id: number): ServiceAccount | undefined {
    const user = this.core.users.getById(id);
    if (!user?.isServiceAccount || user.orgId !== orgId) return undefined;
    const role = this.orgs.roleOf(id, orgId);
    return role ? { user, orgId, role } : undefined;
  }

  list(orgId: number, query = ''): ServiceAccount[] {
    const q = query.toLowerCase();
    return this.orgs.members(orgId, { serviceAccounts: true })
      .filter((m) => m.user.isServiceAccount && m.user.orgId === orgId)
      .filter((m) => !q || m.user.name.toLowerCase().includes(q) || m.user.username.toLowerCase().includes(q))
      .map((m) => ({ user: m.user, orgId, role: m.role }))
      .sort((a, b) => a.user.name.localeCompare(b.user.name) || a.user.id - b.user.id);
  }

  async create(a: { orgId: number; name: string; role?: string; isDisabled?: boolean; caller: Caller; actor?: string }): Promise<ServiceAccount> {
    const name = a.name.trim();
    if (!name) throw G.saNameRequired();
    const role: Role = a.role === undefined ? 'Viewer' : (isRole(a.role) ? a.role : (() => { throw G.invalidRole(); })());
    if (!a.caller.isServerAdmin && !roleIncludes(a.caller.role, role)) throw G.roleTooHigh();
    if (this.list(a.orgId).some((sa) => sa.user.name.toLowerCase() === name.toLowerCase())) throw G.saExists();
    let user: UserRecord;
    try {
      user = await this.core.users.create({
        username: serviceAccountLogin(a.orgId, name), email: null, name, passwordHash: null, source: SERVICE_ACCOUNT_SOURCE,
        isAdmin: false, isServiceAccount: true, isDisabled: !!a.isDisabled, orgId: a.orgId,
      });
    } catch (err) {
      if ((err as Error).name === 'DuplicateError') throw G.saExists();
      throw err;
    }
    try {
      await this.orgs.addMember(a.orgId, user.id, role);
    } catch (err) {
      await this.core.removeUser(user);
      throw err;
    }
    await this.core.changed();
    await this.core.audit.record('service_account_created', { username: a.actor ?? null, detail: { id: user.id, orgId: a.orgId, name, role } });
    return { user: this.core.users.getById(user.id) ?? user, orgId: a.orgId, role };
  }

  async update(orgId: number, id: number, patch: { name?: string; role?: string; isDisabled?: boolean }, caller: Caller): Promise<ServiceAccount> {
    if (patch.role !== undefined && !isRole(patch.role)) throw G.invalidRole();
    if (patch.role !== undefined && !caller.isServerAdmin && !roleIncludes(caller.role, patch.role as Role)) throw G.roleTooHigh();
    const sa = this.get(orgId, id);
    if (!sa) throw G.saNotFound();
    if (patch.name !== undefined) {
      const name = patch.name.trim();
      if (!name) throw G.saNameRequired();
      if (this.list(orgId).some((o) => o.user.id !== id && o.user.name.toLowerCase() === name.toLowerCase())) throw G.saExists();
    }
    const userPatch: { name?: string; isDisabled?: boolean } = {};
    if (patch.name !== undefined) userPatch.name = patch.name.trim();
    if (patch.isDisabled !== undefined) userPatch.isDisabled = patch.isDisabled;
    if (Object.keys(userPatch).length) await this.core.users.update(id, userPatch);
    if (patch.role !== undefined && patch.role !== sa.role) {
      await this.core.store.orgs.setRole(orgId, id, patch.role as Role);
      await this.orgs.refreshUser(id);
    }
    await this.core.changed();
    return this.get(orgId, id)!;
  }

  /**
   * POST /api/serviceaccounts/migrate: each API key of the org becomes the token
   * of a new service account `sa-autogen-<name>` with the key's role; the key
   * itself (and its hash) is kept, so it goes on working, now as that account.
   */
  async migrateApiKeys(orgId: number, actor?: string): Promise<{ total: number; migrated: number; failed: number; failedApikeyIDs: number[]; failedDetails: string[] }> {
    const keys = this.keys.listLegacy(orgId, true);
    const out = { total: keys.length, migrated: 0, failed: 0, failedApikeyIDs: [] as number[], failedDetails: [] as string[] };
    for (const key of keys) {
      try {
        const user = await this.core.users.create({
          username: `sa-autogen-${orgId}-${key.name}`, email: null, name: `sa-autogen-${key.name}`, passwordHash: null, source: SERVICE_ACCOUNT_SOURCE,
          isAdmin: false, isServiceAccount: true, isDisabled: false, orgId,
        });
        await this.orgs.addMember(orgId, user.id, key.role);
        await this.keys.bindToServiceAccount(key.id, user.id);
        out.migrated++;
      } catch (err) {
        out.failed++;
        out.failedApikeyIDs.push(key.id);
        out.failedDetails.push(`API key name: ${key.name} - Error: ${(err as Error).message}`);
      }
    }
    await this.core.changed();
    await this.core.audit.record('service_account_created', { username: actor ?? null, detail: { migratedApiKeys: out.migrated, orgId } });
    return out;
  }

  /** Deletes the account and, with it, its tokens. */
  async delete(orgId: number, id: number, actor?: string): Promise<void> {
    const sa = this.get(orgId, id);
    if (!sa) throw G.saNotFound();
    await this.core.removeUser(sa.user);
    this.orgs.forgetUser(id);
    this.keys.forgetServiceAccount(id);
    await this.core.audit.record('service_account_deleted', { username: actor ?? null, detail: { id, orgId, name: sa.user.name } });
  }
}

// Organizations and who belongs to them with which role. Orgs and memberships
// are mirrored in memory so resolving a request's org and role never reads the
// store; writes go to the store first, then to the mirror.
import type { Core } from '../core.js';
import { DEFAULT_ORG_ID } from '../core.js';
import type { OrgRecord, Role, UserRecord } from '../../store/types.js';
import { GrafanaErrors as G } from './errors.js';

export interface UserOrg { orgId: number; name: string; role: Role }

export class OrgService {
  private orgs = new Map<number, OrgRecord>();
  /** userId → (orgId → role) */
  private roles = new Map<number, Map<number, Role>>();
  /** Users looked up in the store and found with no membership (bounded). */
  private noMembership = new Set<number>();

  constructor(private core: Core) {}

  async load(): Promise<void> {
    const [orgs, memberships] = await Promise.all([this.core.store.orgs.list(), this.core.store.orgs.allMemberships()]);
    this.orgs = new Map(orgs.map((o) => [o.id, o]));
    const roles = new Map<number, Map<number, Role>>();
    for (const m of memberships) {
      let r = roles.get(m.userId);
      if (!r) roles.set(m.userId, (r = new Map()));
      r.set(m.orgId, m.role);
    }
    this.roles = roles;
    this.noMembership.clear();
  }

  /** Re-reads one user's memberships (an account created by the core or another process). */
  async refreshUser(userId: number): Promise<void> {
    const ms = await this.core.store.orgs.membershipsOfUser(userId);
    if (ms.length) this.roles.set(userId, new Map(ms.map((m) => [m.orgId, m.role])));
    else this.roles.delete(userId);
    for (const m of ms) if (!this.orgs.has(m.orgId)) await this.refreshOrg(m.orgId);
  }

  private async refreshOrg(id: number) {
    const o = await this.core.store.orgs.byId(id);
    if (o) this.orgs.set(id, o);
  }

  forgetUser(userId: number) {
    this.roles.delete(userId);
  }

  // ---- reads (memory) -----------------------------------------------------

  get(id: number): OrgRecord | undefined { return this.orgs.get(id); }

  list(): OrgRecord[] {
    return [...this.orgs.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
  }

  /** The user's role in the org, or undefined when not a member. Memory only. */
  roleOf(userId: number, orgId: number): Role | undefined {
    return this.roles.get(userId)?.get(orgId);
  }

  /** Whether memberships of this user are known here (false: ask refreshUser once). */
  knows(userId: number): boolean {
    return this.roles.has(userId) || this.noMembership.has(userId);
  }

  /** For a user this process has not indexed (created elsewhere since the last sync): read once. */
  async ensureUser(userId: number): Promise<void> {
    if (this.knows(userId)) return;
    await this.refreshUser(userId);
    if (!this.roles.has(userId)) {
      if (this.noMembership.size > 10_000) this.noMembership.clear();
      this.noMembership.add(userId);
    }
  }

  orgsOfUser(userId: number): UserOrg[] {
    const out: UserOrg[] = [];
    for (const [orgId, role] of this.roles.get(userId) ?? []) {
      const o = this.orgs.get(orgId);
      if (o) out.push({ orgId, name: o.name, role });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Members of an org with their account; service accounts only when asked. */
  members(orgId: number, o: { serviceAccounts?: boolean } = {}): { user: UserRecord; role: Role }[] {
    const out: { user: UserRecord; role: Role }[] = [];
    for (const [userId, byOrg] of this.roles) {
      const role = byOrg.get(orgId);
      if (!role) continue;
      const user = this.core.users.getById(userId);
      if (!user || (user.isServiceAccount && !o.serviceAccounts)) continue;
      out.push({ user, role });
    }
    return out.sort((a, b) => a.user.username.localeCompare(b.user.username));
  }

  private admins(orgId: number): number {
    return this.members(orgId).filter((m) => m.role === 'Admin').length;
  }

  // ---- writes -------------------------------------------------------------

  /** POST /api/orgs: the creator (if any) becomes its Admin. */
  async create(name: string, creatorId: number | null, actor?: string): Promise<OrgRecord> {
    let org: OrgRecord;
    try {
      org = await this.core.store.orgs.create(name);
    } catch (err) {
      if ((err as Error).name === 'DuplicateError') throw G.orgNameTaken(409);
      throw err;
    }
    this.orgs.set(org.id, org);
    if (creatorId !== null) await this.addMemberRaw(org.id, creatorId, 'Admin');
    await this.core.changed();
    await this.core.audit.record('org_created', { username: actor ?? null, detail: { orgId: org.id, name } });
    return org;
  }

  async rename(id: number, name: string): Promise<void> {
    if (!this.orgs.has(id)) throw G.orgNotFound();
    try {
      await this.core.store.orgs.rename(id, name);
    } catch (err) {
      if ((err as Error).name === 'DuplicateError') throw G.orgNameTaken(400);
      throw err;
    }
    const o = this.orgs.get(id)!;
    this.orgs.set(id, { ...o, name, updatedAt: Date.now() });
    await this.core.changed();
  }

  /**
   * DELETE /api/orgs/:id. Its memberships, keys and service accounts go with it;
   * members whose active org it was are moved to another of their orgs.
   */
  async delete(id: number, actor?: string): Promise<void> {
    if (!this.orgs.has(id)) throw G.orgDeleteNotFound();
    for (const { user } of this.members(id, { serviceAccounts: true })) {
      if (user.isServiceAccount && user.orgId === id) await this.core.removeUser(user);
    }
    const affected = this.members(id).map((m) => m.user);
    await this.core.store.orgs.delete(id);
    this.orgs.delete(id);
    for (const byOrg of this.roles.values()) byOrg.delete(id);
    for (const u of affected) if (u.orgId === id) await this.core.users.update(u.id, { orgId: this.fallbackOrg(u.id) });
    await this.core.changed();
    await this.core.audit.record('org_deleted', { username: actor ?? null, detail: { orgId: id } });
  }

  private fallbackOrg(userId: number): number {
    const first = [...(this.roles.get(userId)?.keys() ?? [])].sort((a, b) => a - b)[0];
    return first ?? DEFAULT_ORG_ID;
  }

  private async addMemberRaw(orgId: number, userId: number, role: Role) {
    try {
      await this.core.store.orgs.addMember(orgId, userId, role);
    } catch (err) {
      if ((err as Error).name === 'DuplicateError') throw G.alreadyMember(userId);
      throw err;
    }
    let r = this.roles.get(userId);
    if (!r) this.roles.set(userId, (r = new Map()));
    r.set(orgId, role);
    this.noMembership.delete(userId);
  }

  /** POST /api/org/users */
  async addMember(orgId: number, userId: number, role: Role): Promise<void> {
    if (this.roleOf(userId, orgId)) throw G.alreadyMember(userId);
    await this.addMemberRaw(orgId, userId, role);
    const u = this.core.users.getById(userId);
    // A user without a usable active org gets this one.
    if (u && !this.roleOf(userId, u.orgId)) await this.core.users.update(userId, { orgId });
    await this.core.changed();
  }

  /** PATCH /api/org/users/:userId: an org keeps at least one Admin. */
  async setRole(orgId: number, userId: number, role: Role): Promise<void> {
    const current = this.roleOf(userId, orgId);
    // Grafana answers 500 here; a missing member is the client's mistake, so 404 (same message).
    if (!current) throw G.legacy(404, 'Failed update org user');
    if (current === 'Admin' && role !== 'Admin' && this.admins(orgId) <= 1) throw G.lastAdminRole();
    await this.core.store.orgs.setRole(orgId, userId, role);
    this.roles.get(userId)!.set(orgId, role);
    await this.core.changed();
  }

  /**
   * DELETE /api/org/users/:userId. As in Grafana, an account left in no org at
   * all is deleted when `deleteOrphan` (the current-org route); returns whether it was.
   */
  async removeMember(orgId: number, userId: number, o: { deleteOrphan: boolean; actor?: string }): Promise<{ userDeleted: boolean }> {
    const current = this.roleOf(userId, orgId);
    if (!current) throw G.legacy(404, 'Failed to remove user from organization'); // Grafana: 500
    if (current === 'Admin' && this.admins(orgId) <= 1) throw G.lastAdminRemove();
    const user = this.core.users.getById(userId);
    await this.core.store.orgs.removeMember(orgId, userId);
    this.roles.get(userId)?.delete(orgId);
    if (user && o.deleteOrphan && !this.roles.get(userId)?.size && !user.isServiceAccount) {
      await this.core.removeUser(user);
      this.roles.delete(userId);
      await this.core.audit.record('user_deleted', { username: user.username, detail: { by: o.actor ?? null, reason: 'removed from its last organization' } });
      this.core.events.emit('user_deleted', { username: user.username, userId });
      return { userDeleted: true };
    }
    if (user && user.orgId === orgId) await this.core.users.update(userId, { orgId: this.fallbackOrg(userId) });
    await this.core.changed();
    return { userDeleted: false };
  }

  /** POST /api/user/using/:orgId */
  async setUsingOrg(userId: number, orgId: number): Promise<void> {
    if (!this.roleOf(userId, orgId)) throw G.notAValidOrg();
    await this.core.users.update(userId, { orgId });
    await this.core.changed();
  }
}

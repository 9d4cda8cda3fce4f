// Organizations and who belongs to them with which role, in memory: resolving
// a request's org and role never reads the store.
import { boundedCache } from '../cache.js';
import type { Change } from '../changes.js';
import type { Org, Role } from '../model.js';
import type { Store } from '../../store/types.js';
import type { Index } from '../write.js';

export interface UserOrg { orgId: number; name: string; role: Role }

export class OrgsIndex implements Index {
  private orgs = new Map<number, Org>();
  /** userId → (orgId → role) */
  private roles = new Map<number, Map<number, Role>>();
  /** Users read from the store and found in no org (bounded). */
  private noMembership = boundedCache<number, true>(10_000);

  constructor(private store: Store) {}

  async load(): Promise<void> {
    const [orgs, memberships] = await Promise.all([this.store.orgs.list(), this.store.orgs.allMemberships()]);
    const roles = new Map<number, Map<number, Role>>();
    for (const m of memberships) {
      let r = roles.get(m.userId);
      if (!r) roles.set(m.userId, (r = new Map()));
      r.set(m.orgId, m.role);
    }
    this.orgs = new Map(orgs.map((o) => [o.id, o]));
    this.roles = roles;
    this.noMembership.clear();
  }

  async apply(change: Change): Promise<void> {
    if (change.kind === 'user') await this.refreshUser(change.id);
    if (change.kind !== 'org') return;
    const [org, members] = await Promise.all([this.store.orgs.byId(change.id), this.store.orgs.members(change.id)]);
    if (org) this.orgs.set(org.id, org);
    else this.orgs.delete(change.id);
    for (const byOrg of this.roles.values()) byOrg.delete(change.id);
    for (const m of members) this.roleMap(m.userId).set(m.orgId, m.role);
  }

  private roleMap(userId: number): Map<number, Role> {
    let r = this.roles.get(userId);
    if (!r) this.roles.set(userId, (r = new Map()));
    this.noMembership.delete(userId);
    return r;
  }

  /** Re-reads one user's memberships (and any org not known here yet). */
  async refreshUser(userId: number): Promise<void> {
    const ms = await this.store.orgs.membershipsOfUser(userId);
    if (ms.length) this.roles.set(userId, new Map(ms.map((m) => [m.orgId, m.role])));
    else this.roles.delete(userId);
    for (const m of ms) {
      if (this.orgs.has(m.orgId)) continue;
      const o = await this.store.orgs.byId(m.orgId);
      if (o) this.orgs.set(o.id, o);
    }
  }

  /** For a user this process has not indexed (created elsewhere since the last sync): read once. */
  async ensureUser(userId: number): Promise<void> {
    if (this.knows(userId)) return;
    await this.refreshUser(userId);
    if (!this.roles.has(userId)) this.noMembership.set(userId, true);
  }

  knows(userId: number): boolean { return this.roles.has(userId) || this.noMembership.has(userId); }
  get(id: number): Org | undefined { return this.orgs.get(id); }
  list(): Org[] { return [...this.orgs.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id); }
  roleOf(userId: number, orgId: number): Role | undefined { return this.roles.get(userId)?.get(orgId); }
  orgIdsOf(userId: number): number[] { return [...(this.roles.get(userId)?.keys() ?? [])]; }

  orgsOfUser(userId: number): UserOrg[] {
    const out: UserOrg[] = [];
    for (const [orgId, role] of this.roles.get(userId) ?? []) {
      const o = this.orgs.get(orgId);
      if (o) out.push({ orgId, name: o.name, role });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** userId → role of the org's members. */
  membersOf(orgId: number): [number, Role][] {
    const out: [number, Role][] = [];
    for (const [userId, byOrg] of this.roles) {
      const role = byOrg.get(orgId);
      if (role) out.push([userId, role]);
    }
    return out;
  }
}

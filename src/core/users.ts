// The user directory: every account, indexed in memory so the hot path can
// resolve a token's user without touching the store. Writes go to the store
// first, then to the index.
import { randomUUID } from 'node:crypto';
import type { NewUser, Store, UserPatch, UserRecord } from '../store/types.js';

export class UserDirectory {
  private byName = new Map<string, UserRecord>();
  private byId = new Map<number, UserRecord>();

  constructor(private store: Store) {}

  async load(): Promise<void> {
    this.byName.clear();
    this.byId.clear();
    for (const u of await this.store.users.list()) this.index(u);
  }

  private index(u: UserRecord) {
    this.byName.set(u.username, u);
    this.byId.set(u.id, u);
  }

  get(username: string) { return this.byName.get(username); }

  /** Like get, but falls back to the store for an account created by another process since the last sync. */
  async fetch(username: string): Promise<UserRecord | undefined> {
    const hit = this.byName.get(username);
    if (hit) return hit;
    const u = await this.store.users.byUsername(username);
    if (u) this.index(u);
    return u;
  }
  getById(id: number) { return this.byId.get(id); }
  /** Is there an account that can log in, other than `exceptId`? (force_logins asks on every request: no list is built.) */
  hasLoginAccounts(exceptId: number | null = null): boolean {
    for (const u of this.byId.values()) if (!u.isServiceAccount && u.id !== exceptId) return true;
    return false;
  }
  /** Accounts that can log in (service accounts excluded). */
  list(): UserRecord[] { return [...this.byId.values()].filter((u) => !u.isServiceAccount); }
  all(): UserRecord[] { return [...this.byId.values()]; }
  count(): number { return this.byId.size; }
  /** Case-insensitive match on username or email, as Grafana's basic auth does. */
  findByLoginOrEmail(login: string): UserRecord | undefined {
    const exact = this.byName.get(login);
    if (exact) return exact;
    const l = login.toLowerCase();
    for (const u of this.byId.values()) {
      if (u.username.toLowerCase() === l || (u.email && u.email.toLowerCase() === l)) return u;
    }
    return undefined;
  }

  async create(u: Omit<NewUser, 'uid'> & { uid?: string }): Promise<UserRecord> {
    const rec = await this.store.users.create({ ...u, uid: u.uid ?? randomUUID().replace(/-/g, '').slice(0, 14) });
    this.index(rec);
    return rec;
  }

  async update(id: number, patch: UserPatch): Promise<UserRecord | undefined> {
    const before = this.byId.get(id);
    await this.store.users.update(id, patch);
    const after = await this.store.users.byId(id);
    if (before) this.byName.delete(before.username);
    if (after) this.index(after);
    return after;
  }

  async delete(id: number): Promise<boolean> {
    const u = this.byId.get(id);
    const ok = await this.store.users.delete(id);
    if (u) {
      this.byId.delete(id);
      this.byName.delete(u.username);
    }
    return ok;
  }
}

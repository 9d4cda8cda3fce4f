// Every account, in memory, so the hot path resolves a token's user without the store.
import type { Change } from '../changes.js';
import type { User } from '../model.js';
import type { Store } from '../../store/types.js';
import type { Index } from '../write.js';

export class UsersIndex implements Index {
  private byName = new Map<string, User>();
  private byId = new Map<number, User>();
  /** Bumped by every load and apply: a store read begun before one may be stale, and is not kept. */
  private epoch = 0;
  /** The account ids as of the last load and this process's own changes (not fetch()'s reads): what a reload compares with. */
  private synced: Set<number> | undefined;
  /** What the last load found that this process had not been told of: other processes' creations and deletions. */
  private reloadDiff: { appeared: User[]; vanished: User[] } = { appeared: [], vanished: [] };

  constructor(private store: Store) {}

  async load(): Promise<void> {
    const epoch = ++this.epoch;
    const all = await this.store.users.list();
    const before = this.synced;
    const gone = new Map(this.byId);
    this.byName.clear();
    this.byId.clear();
    for (const u of all) this.put(u);
    // No diff on the first load, nor when a change of this process's own landed during the read.
    if (before && epoch === this.epoch) {
      for (const u of all) gone.delete(u.id);
      this.reloadDiff = { appeared: all.filter((u) => !before.has(u.id)), vanished: [...gone.values()].filter((u) => before.has(u.id)) };
    } else this.reloadDiff = { appeared: [], vanished: [] };
    this.synced = new Set(this.byId.keys());
  }

  async apply(change: Change): Promise<void> {
    if (change.kind !== 'user') return;
    this.epoch++;
    const u = await this.store.users.byId(change.id);
    const before = this.byId.get(change.id);
    if (before) this.drop(before);
    if (u) this.put(u);
    if (u) this.synced?.add(u.id);
    else this.synced?.delete(change.id);
  }

  /** The accounts the last load() found created and deleted by another process since the one before (none after the first). */
  get lastReload(): { appeared: readonly User[]; vanished: readonly User[] } { return this.reloadDiff; }

  private put(u: User) {
    this.byName.set(u.username, u);
    this.byId.set(u.id, u);
  }

  private drop(u: User) {
    this.byId.delete(u.id);
    if (this.byName.get(u.username) === u) this.byName.delete(u.username);
  }

  get(username: string): User | undefined { return this.byName.get(username); }
  getById(id: number): User | undefined { return this.byId.get(id); }

  /** Like get, but an account another process created since the last sync is read from the store. */
  async fetch(username: string): Promise<User | undefined> {
    const hit = this.byName.get(username);
    if (hit) return hit;
    const epoch = this.epoch;
    const u = await this.store.users.byUsername(username);
    if (u && epoch === this.epoch) this.put(u);
    return u;
  }

  /** Like getById, reading the store on a miss (an account another instance created a moment ago). */
  async fetchById(id: number): Promise<User | undefined> {
    const hit = this.byId.get(id);
    if (hit) return hit;
    const epoch = this.epoch;
    const u = await this.store.users.byId(id);
    if (u && epoch === this.epoch) this.put(u);
    return u;
  }

  /** Is there an account that can log in, other than `exceptId`? (force_logins asks on every request: no list is built.) */
  hasLoginAccounts(exceptId: number | null): boolean {
    for (const u of this.byId.values()) if (!u.isServiceAccount && u.id !== exceptId) return true;
    return false;
  }

  /** Accounts that can log in (service accounts excluded). */
  list(): User[] { return [...this.byId.values()].filter((u) => !u.isServiceAccount); }

  /** Case-insensitive match on username or email, as Grafana's basic auth does. */
  findByLoginOrEmail(login: string): User | undefined {
    const exact = this.byName.get(login);
    if (exact) return exact;
    const l = login.toLowerCase();
    for (const u of this.byId.values()) {
      if (u.username.toLowerCase() === l || (u.email && u.email.toLowerCase() === l)) return u;
    }
    return undefined;
  }
}

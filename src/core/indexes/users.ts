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

  constructor(private store: Store) {}

  async load(): Promise<void> {
    this.epoch++;
    const all = await this.store.users.list();
    this.byName.clear();
    this.byId.clear();
    for (const u of all) this.put(u);
  }

  async apply(change: Change): Promise<void> {
    if (change.kind !== 'user') return;
    this.epoch++;
    const u = await this.store.users.byId(change.id);
    const before = this.byId.get(change.id);
    if (before) this.drop(before);
    if (u) this.put(u);
  }

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

// Named Moonraker API keys (issue 20), in memory by SHA-256 of the key: an
// X-Api-Key request with a named key reads no store. Each key's Identity is
// built once and shared (one object per key, as the global key's): deleting the
// key drops it, so a websocket identified with it loses it at once.
import type { Change } from '../changes.js';
import { API_USER, identity, type Identity, type MoonrakerKey } from '../model.js';
import type { Store } from '../../store/types.js';
import type { Index } from '../write.js';

export interface LiveKey { key: MoonrakerKey; identity: Identity }

export class MoonrakerKeysIndex implements Index {
  private byHash = new Map<string, LiveKey>();
  private byName = new Map<string, LiveKey>();

  constructor(private store: Store) {}

  async load(): Promise<void> {
    const rows = await this.store.moonrakerKeys.list();
    const before = new Map([...this.byName.values()].map((l) => [l.key.name, l]));
    this.byHash.clear();
    this.byName.clear();
    for (const r of rows) this.put(r, before.get(r.name));
  }

  async apply(change: Change): Promise<void> {
    if (change.kind !== 'moonraker-key') return;
    const before = this.byName.get(change.name);
    if (before) this.drop(before);
    const row = await this.store.moonrakerKeys.byName(change.name);
    if (row) this.put(row, before);
  }

  /** The same key as before (same hash) keeps its Identity object and a last-used time newer than the store's. */
  private put(r: MoonrakerKey, before?: LiveKey) {
    const same = before && before.key.hash === r.hash;
    if (same && (r.lastUsedAt ?? 0) < (before.key.lastUsedAt ?? 0)) r.lastUsedAt = before.key.lastUsedAt;
    const live: LiveKey = {
      key: r,
      identity: same ? before.identity : identity({
        kind: 'moonraker_key', username: API_USER, source: 'moonraker', createdOn: r.createdAt / 1000, via: 'api_key',
        apiKeyId: r.id, scope: r.scope, keyName: r.name,
      }),
    };
    this.byHash.set(r.hash, live);
    this.byName.set(r.name, live);
  }

  private drop(l: LiveKey) {
    if (this.byHash.get(l.key.hash) === l) this.byHash.delete(l.key.hash);
    if (this.byName.get(l.key.name) === l) this.byName.delete(l.key.name);
  }

  bySha256(hash: string): LiveKey | undefined { return this.byHash.get(hash); }
  get(name: string): LiveKey | undefined { return this.byName.get(name); }
  get size(): number { return this.byName.size; }
  list(): MoonrakerKey[] { return [...this.byName.values()].map((l) => l.key).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)); }

  /** Is this identity's key still there (not deleted, not expired)? */
  isLive(id: Identity, now = Date.now()): boolean {
    const l = id.keyName === undefined ? undefined : this.byName.get(id.keyName);
    return !!l && l.identity === id && (l.key.expiresAt === null || l.key.expiresAt > now);
  }
}

// Grafana API keys and service-account tokens, in memory by SHA-256 of the key:
// verifying one reads no store. Rows imported from a Grafana database keep
// Grafana's PBKDF2 hash until their first use (indexed by that hash, and legacy
// keys by org and name).
import type { Change } from '../changes.js';
import type { ApiKey } from '../model.js';
import type { Store } from '../../store/types.js';
import type { Index } from '../write.js';

const byName = (k: { orgId: number; name: string }) => `${k.orgId}\0${k.name}`;
const sorted = (keys: ApiKey[]) => keys.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

export class GrafanaKeysIndex implements Index {
  private byHash = new Map<string, ApiKey>();
  private byId = new Map<number, ApiKey>();
  private pbkdf2ByHash = new Map<string, ApiKey>();
  private pbkdf2ByName = new Map<string, ApiKey>();
  /** Bumped by every load and apply: a store read begun before one may be stale, and is not kept. */
  private epoch = 0;

  constructor(private store: Store) {}

  async load(): Promise<void> {
    this.epoch++;
    const rows = await this.store.apiKeys.listAll();
    const lastUsed = new Map([...this.byId.values()].map((k) => [k.id, k.lastUsedAt]));
    this.byHash.clear();
    this.byId.clear();
    this.pbkdf2ByHash.clear();
    this.pbkdf2ByName.clear();
    for (const r of rows) this.put(r, lastUsed.get(r.id));
  }

  async apply(change: Change): Promise<void> {
    this.epoch++;
    if (change.kind === 'grafana-key') {
      const before = this.byId.get(change.id);
      if (before) this.drop(before);
      const row = await this.store.apiKeys.byId(change.id);
      if (row) this.put(row, before?.lastUsedAt);
    } else if (change.kind === 'user' || change.kind === 'org') {
      // a deleted service account or org takes its keys with it (the store cascades)
      const gone = [...this.byId.values()].filter((k) => (change.kind === 'user' ? k.serviceAccountId === change.id : k.orgId === change.id));
      for (const k of gone) if (!(await this.store.apiKeys.byId(k.id))) this.drop(k);
    }
  }

  /** Keeps a last-used time newer than the store's (the flush of it may be pending). */
  private put(r: ApiKey, lastUsedAt?: number | null) {
    if (lastUsedAt != null && (r.lastUsedAt ?? 0) < lastUsedAt) r.lastUsedAt = lastUsedAt;
    this.byId.set(r.id, r);
    if (r.hashKind === 'sha256') this.byHash.set(r.hash, r);
    else {
      this.pbkdf2ByHash.set(r.hash, r);
      this.pbkdf2ByName.set(byName(r), r);
    }
  }

  private drop(r: ApiKey) {
    this.byId.delete(r.id);
    if (this.byHash.get(r.hash) === r) this.byHash.delete(r.hash);
    if (this.pbkdf2ByHash.get(r.hash) === r) this.pbkdf2ByHash.delete(r.hash);
    if (this.pbkdf2ByName.get(byName(r)) === r) this.pbkdf2ByName.delete(byName(r));
  }

  /** A key (by SHA-256) this process has not seen, read from the store: one another instance created a moment ago. */
  async fetchBySha256(hash: string): Promise<ApiKey | undefined> {
    const epoch = this.epoch;
    const row = await this.store.apiKeys.byHash(hash);
    if (!row || row.hashKind !== 'sha256') return undefined;
    if (epoch === this.epoch && !this.byId.has(row.id)) this.put(row);
    return row;
  }

  get(id: number): ApiKey | undefined { return this.byId.get(id); }
  bySha256(hash: string): ApiKey | undefined { return this.byHash.get(hash); }
  get hasImported(): boolean { return this.pbkdf2ByHash.size > 0; }
  importedByHash(hash: string): ApiKey | undefined { return this.pbkdf2ByHash.get(hash); }
  importedByName(orgId: number, name: string): ApiKey | undefined { return this.pbkdf2ByName.get(byName({ orgId, name })); }

  /** The org's keys (not service-account tokens), by name. */
  legacyOf(orgId: number, includeExpired: boolean): ApiKey[] {
    const now = Date.now();
    return sorted([...this.byId.values()].filter((k) => k.orgId === orgId && k.serviceAccountId === null && (includeExpired || k.expiresAt === null || k.expiresAt > now)));
  }

  tokensOf(serviceAccountId: number): ApiKey[] {
    return sorted([...this.byId.values()].filter((k) => k.serviceAccountId === serviceAccountId));
  }
}

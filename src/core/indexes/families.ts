// Live login families, in memory: checking a token's family never reads the
// store, except for a family this process has never seen (opened by another
// instance), read once; unknown ids are remembered in a bounded negative cache.
import { boundedCache } from '../cache.js';
import type { Change } from '../changes.js';
import type { TokenFamily } from '../model.js';
import type { Store } from '../../store/types.js';
import type { Index } from '../write.js';

export class FamiliesIndex implements Index {
  private live = new Map<string, TokenFamily>();
  private unknown = boundedCache<string, true>(10_000);
  /** Bumped by every load and apply: a store read begun before one may be stale, and is not kept. */
  private epoch = 0;

  constructor(private store: Store) {}

  async load(): Promise<void> {
    this.epoch++;
    const rows = await this.store.sessions.listLive(Date.now());
    this.live = new Map(rows.map((f) => [f.id, f]));
    this.unknown.clear();
  }

  async apply(change: Change): Promise<void> {
    if (change.kind !== 'families' && change.kind !== 'user') return;
    const userId = change.kind === 'user' ? change.id : change.userId;
    this.epoch++;
    const rows = await this.store.sessions.liveOfUser(userId, Date.now());
    for (const [id, f] of this.live) if (f.userId === userId) this.live.delete(id);
    for (const f of rows) {
      this.live.set(f.id, f);
      this.unknown.delete(f.id);
    }
  }

  /** The family if it is live (in memory only). */
  get(id: string): TokenFamily | undefined {
    const f = this.live.get(id);
    if (f && f.expiresAt <= Date.now()) {
      this.live.delete(id);
      return undefined;
    }
    return f;
  }

  /** Like get, but a family never seen here is read from the store once. */
  async resolve(id: string): Promise<TokenFamily | undefined> {
    const hit = this.get(id);
    if (hit || this.unknown.has(id)) return hit;
    const epoch = this.epoch;
    const f = await this.store.sessions.byId(id);
    if (f && f.revokedAt === null && f.expiresAt > Date.now()) {
      if (epoch === this.epoch) this.live.set(id, f);
      return f;
    }
    if (epoch === this.epoch) this.unknown.set(id, true);
    return undefined;
  }
}

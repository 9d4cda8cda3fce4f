// Live browser sessions of the Grafana face, in memory by SHA-256 of the token
// (the current one and, during rotation's grace minute, the previous one).
import type { Change } from '../changes.js';
import type { WebSession } from '../model.js';
import type { Store } from '../../store/types.js';
import type { Index } from '../write.js';

export class WebSessionsIndex implements Index {
  private byHash = new Map<string, WebSession>();
  private byId = new Map<number, WebSession>();
  /** Bumped by every load and apply: a store read begun before one may be stale, and is not kept. */
  epoch = 0;

  constructor(private store: Store, private window: () => { seenSince: number; createdSince: number }) {}

  async load(): Promise<void> {
    this.epoch++;
    const { seenSince, createdSince } = this.window();
    const rows = await this.store.webSessions.listLive(seenSince, createdSince);
    const seen = new Map([...this.byId.values()].map((s) => [s.id, s.seenAt]));
    this.byHash.clear();
    this.byId.clear();
    for (const s of rows) this.put(s, seen.get(s.id));
  }

  async apply(change: Change): Promise<void> {
    if (change.kind !== 'web-sessions' && change.kind !== 'user') return;
    const userId = change.kind === 'user' ? change.id : change.userId;
    this.epoch++;
    const { seenSince, createdSince } = this.window();
    const rows = await this.store.webSessions.liveOfUser(userId, seenSince, createdSince);
    const seen = new Map<number, number>();
    for (const s of [...this.byId.values()]) {
      if (s.userId !== userId) continue;
      seen.set(s.id, s.seenAt);
      this.drop(s);
    }
    for (const s of rows) this.put(s, seen.get(s.id));
  }

  /** Keeps a last-seen time newer than the store's (its flush may be pending). */
  put(s: WebSession, seenAt?: number) {
    if (seenAt !== undefined && seenAt > s.seenAt) s.seenAt = seenAt;
    this.byId.set(s.id, s);
    this.byHash.set(s.tokenHash, s);
    if (s.prevTokenHash) this.byHash.set(s.prevTokenHash, s);
  }

  drop(s: WebSession) {
    this.byId.delete(s.id);
    if (this.byHash.get(s.tokenHash) === s) this.byHash.delete(s.tokenHash);
    if (s.prevTokenHash && this.byHash.get(s.prevTokenHash) === s) this.byHash.delete(s.prevTokenHash);
  }

  byTokenHash(hash: string): WebSession | undefined { return this.byHash.get(hash); }
  getById(id: number): WebSession | undefined { return this.byId.get(id); }
}

// Login families. Every JWT carries the id of the login that issued it; revoking
// the family kills its access and refresh tokens at once. Live families are
// mirrored in memory so checking a token never reads the store.
import type { Store, TokenSession } from '../store/types.js';
import { randomUrlToken } from './crypto.js';

export class TokenSessions {
  private live = new Map<string, TokenSession>();

  constructor(private store: Store) {}

  async load(): Promise<void> {
    this.live.clear();
    this.unknown.clear();
    for (const s of await this.store.sessions.listLive(Date.now())) this.live.set(s.id, s);
  }

  isLive(id: string): boolean {
    const s = this.live.get(id);
    if (!s) return false;
    if (s.expiresAt <= Date.now()) {
      this.live.delete(id);
      return false;
    }
    return true;
  }

  get(id: string) { return this.live.get(id); }

  /**
   * Like isLive, but a family this process has never seen (opened by another
   * instance since the last sync) is read from the store once and remembered.
   */
  async resolve(id: string): Promise<TokenSession | undefined> {
    if (this.isLive(id)) return this.live.get(id);
    if (this.unknown.has(id)) return undefined;
    const s = await this.store.sessions.byId(id);
    if (s && s.revokedAt === null && s.expiresAt > Date.now()) {
      this.live.set(id, s);
      return s;
    }
    if (this.unknown.size > 10_000) this.unknown.clear();
    this.unknown.add(id);
    return undefined;
  }
  private unknown = new Set<string>();

  /** A new family id (open() takes it, so tokens naming it can be signed while it is stored). */
  newId(): string { return randomUrlToken(16); }

  async open(userId: number, ttlMs: number, refreshJti: string, id = this.newId()): Promise<TokenSession> {
    const now = Date.now();
    const s: TokenSession = { id, userId, createdAt: now, expiresAt: now + ttlMs, revokedAt: null, refreshJti };
    await this.store.sessions.create(s);
    this.live.set(s.id, s);
    return s;
  }

  async revoke(id: string): Promise<void> {
    await this.store.sessions.revoke(id, Date.now());
    this.live.delete(id);
  }

  /** Revokes every family of the user (but `exceptId`); returns the ids revoked. */
  async revokeUser(userId: number, exceptId?: string): Promise<string[]> {
    const ids = await this.store.sessions.revokeForUser(userId, Date.now(), exceptId);
    for (const [id, s] of this.live) if (s.userId === userId && id !== exceptId) this.live.delete(id);
    return ids;
  }

  /** Rotation: moves the family's current refresh id from `expected` to `next`; false means `expected` was already spent. */
  async advanceRefresh(id: string, expected: string | null, next: string): Promise<boolean> {
    const ok = await this.store.sessions.setRefreshJti(id, next, expected);
    const s = this.live.get(id);
    if (ok && s) s.refreshJti = next;
    return ok;
  }
}

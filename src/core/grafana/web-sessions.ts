// Browser sessions of the Grafana face (the `grafana_session` cookie).
//
// The token is 32 random alphanumerics (as Grafana's); only its SHA-256 is
// stored. A session ends when idle longer than
// login_maximum_inactive_lifetime_duration or older than
// login_maximum_lifetime_duration, and its token is replaced every
// token_rotation_interval_minutes (the previous token stays good for a minute so
// requests already in flight do not fail). Live sessions are mirrored in memory;
// last-seen times are flushed in batches.
import type { Core } from '../core.js';
import type { WebSession } from '../../store/types.js';
import { randomAlnum, sha256hex } from '../crypto.js';
import type { GrafanaOptions } from './options.js';

const PREV_TOKEN_GRACE_MS = 60_000;
const SEEN_EVERY_MS = 60_000;
const FLUSH_EVERY_MS = 10_000;
const PRUNE_EVERY_MS = 3600_000;
const MISS_CACHE_MAX = 10_000;

export class WebSessionService {
  private byHash = new Map<string, WebSession>();
  private byId = new Map<number, WebSession>();
  private misses = new Set<string>();
  private pendingSeen = new Set<number>();
  private timers: NodeJS.Timeout[] = [];

  constructor(private core: Core, private opts: GrafanaOptions) {}

  private get idleMs() { return this.opts.loginMaximumInactiveLifetimeSeconds * 1000; }
  private get maxMs() { return this.opts.loginMaximumLifetimeSeconds * 1000; }
  get rotationMs() { return this.opts.tokenRotationIntervalMinutes * 60_000; }

  async load(): Promise<void> {
    const now = Date.now();
    const rows = await this.core.store.webSessions.listLive(now - this.idleMs, now - this.maxMs);
    const pending = new Map([...this.pendingSeen].map((id) => [id, this.byId.get(id)?.seenAt ?? 0]));
    this.byHash.clear();
    this.byId.clear();
    this.misses.clear();
    for (const s of rows) {
      const seen = pending.get(s.id);
      if (seen && seen > s.seenAt) s.seenAt = seen;
      this.index(s);
    }
  }

  start(): void {
    const log = (what: string) => (err: unknown) => this.core.opts.log?.error({ err }, what);
    this.timers.push(setInterval(() => void this.flush().catch(log('web session flush failed')), FLUSH_EVERY_MS));
    this.timers.push(setInterval(() => void this.prune().catch(log('web session prune failed')), PRUNE_EVERY_MS));
    for (const t of this.timers) t.unref();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.flush().catch(() => {});
  }

  private index(s: WebSession) {
    this.byId.set(s.id, s);
    this.byHash.set(s.tokenHash, s);
    if (s.prevTokenHash) this.byHash.set(s.prevTokenHash, s);
  }

  private unindex(s: WebSession) {
    this.byId.delete(s.id);
    if (this.byHash.get(s.tokenHash) === s) this.byHash.delete(s.tokenHash);
    if (s.prevTokenHash && this.byHash.get(s.prevTokenHash) === s) this.byHash.delete(s.prevTokenHash);
    this.pendingSeen.delete(s.id);
  }

  async create(userId: number): Promise<{ token: string; session: WebSession }> {
    const token = randomAlnum(32);
    const now = Date.now();
    const session = await this.core.store.webSessions.create({
      userId, tokenHash: sha256hex(token), prevTokenHash: null, createdAt: now, rotatedAt: now, seenAt: now, revokedAt: null,
    });
    this.index(session);
    return { token, session };
  }

  /**
   * The live session a cookie token belongs to, or undefined. Memory first; a
   * token this process has not seen (a login on another instance) is read from
   * the store once.
   */
  async lookup(token: string): Promise<WebSession | undefined> {
    if (!token || token.length > 256) return undefined;
    const hash = sha256hex(token);
    let s = this.byHash.get(hash);
    if (!s) {
      if (this.misses.has(hash)) return undefined;
      const found = await this.core.store.webSessions.byHash(hash);
      if (found && found.revokedAt === null) {
        this.index(found);
        s = found;
      } else {
        if (this.misses.size >= MISS_CACHE_MAX) this.misses.clear();
        this.misses.add(hash);
        return undefined;
      }
    }
    const now = Date.now();
    if (s.revokedAt !== null || now - s.createdAt >= this.maxMs || now - s.seenAt >= this.idleMs) {
      this.unindex(s);
      return undefined;
    }
    if (hash !== s.tokenHash && now - s.rotatedAt > PREV_TOKEN_GRACE_MS) return undefined;
    // Last-seen is refreshed at most once a minute (or a tenth of the idle limit, if shorter).
    if (now - s.seenAt >= Math.min(SEEN_EVERY_MS, this.idleMs / 10)) {
      s.seenAt = now;
      this.pendingSeen.add(s.id);
    }
    return s;
  }

  needsRotation(s: WebSession): boolean {
    return Date.now() - s.rotatedAt >= this.rotationMs;
  }

  /** Replaces the session's token; returns the new one (for the cookie). */
  async rotate(s: WebSession): Promise<string> {
    const token = randomAlnum(32);
    const hash = sha256hex(token);
    const now = Date.now();
    await this.core.store.webSessions.rotate(s.id, hash, s.tokenHash, now);
    if (s.prevTokenHash && this.byHash.get(s.prevTokenHash) === s) this.byHash.delete(s.prevTokenHash);
    s.prevTokenHash = s.tokenHash;
    s.tokenHash = hash;
    s.rotatedAt = now;
    s.seenAt = now;
    this.byHash.set(hash, s);
    return token;
  }

  /** When the current token is due for rotation (unix seconds), for the `grafana_session_expiry` cookie. */
  nextRotation(s: WebSession): number {
    return Math.floor((s.rotatedAt + this.rotationMs) / 1000);
  }

  async revoke(s: WebSession): Promise<void> {
    await this.core.store.webSessions.revoke(s.id, Date.now());
    s.revokedAt = Date.now();
    this.unindex(s);
    await this.core.changed();
  }

  /** Drops a user's sessions from the index (deleted: the store cascades; new password: the core revoked them). */
  forgetUser(userId: number) {
    for (const s of [...this.byId.values()]) if (s.userId === userId) this.unindex(s);
  }

  async flush(): Promise<void> {
    if (!this.pendingSeen.size) return;
    const ids = [...this.pendingSeen];
    this.pendingSeen.clear();
    const at = Math.max(...ids.map((id) => this.byId.get(id)?.seenAt ?? 0));
    if (at > 0) await this.core.store.webSessions.seenMany(ids, at);
  }

  async prune(): Promise<void> {
    const now = Date.now();
    await this.core.store.webSessions.prune(now - this.idleMs, now - this.maxMs);
  }
}

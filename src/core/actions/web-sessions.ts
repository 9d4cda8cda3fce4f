// Browser sessions of the Grafana face (the `grafana_session` cookie). The token
// is 32 random alphanumerics (as Grafana's); only its SHA-256 is stored. A
// session ends when idle longer than login_maximum_inactive_lifetime_duration or
// older than login_maximum_lifetime_duration, and its token is replaced every
// token_rotation_interval_minutes (the previous token stays good for a minute so
// requests already in flight do not fail). Last-seen times are flushed in batches.
import { boundedCache, type BoundedCache } from '../cache.js';
import type { Ctx } from '../context.js';
import { fail } from '../errors.js';
import type { User, WebSession } from '../model.js';
import { randomAlnum, sha256hex } from '../security/crypto.js';
import { normalizeIp } from '../security/trusted-clients.js';
import type { VerifyActions } from './verify.js';

const PREV_TOKEN_GRACE_MS = 60_000;
const SEEN_EVERY_MS = 60_000;

interface LookupState { misses: BoundedCache<string, true>; pendingSeen: Set<number>; idleMs: number; maxMs: number }

/**
 * The live session a cookie token belongs to, or undefined. Memory first; a
 * token this process has not seen (a login on another instance) is read from
 * the store once.
 */
async function lookup(ctx: Ctx, { misses, pendingSeen, idleMs, maxMs }: LookupState, token: string): Promise<WebSession | undefined> {
  const index = ctx.ix.webSessions;
  if (!token || token.length > 256) return undefined;
  const hash = sha256hex(token);
  let s = index.byTokenHash(hash);
  if (!s) {
    if (misses.has(hash)) return undefined;
    const epoch = index.epoch;
    const found = await ctx.store.webSessions.byHash(hash);
    if (!found || found.revokedAt !== null) return void (epoch === index.epoch && misses.set(hash, true));
    if (epoch === index.epoch) index.put(found); // else a change came meanwhile: this read may be stale, not kept
    s = found;
  }
  const now = Date.now();
  if (s.revokedAt !== null || now - s.createdAt >= maxMs || now - s.seenAt >= idleMs) {
    index.drop(s);
    return undefined;
  }
  if (hash !== s.tokenHash && now - s.rotatedAt > PREV_TOKEN_GRACE_MS) return undefined;
  // Last-seen is refreshed at most once a minute (or a tenth of the idle limit, if shorter).
  if (now - s.seenAt >= Math.min(SEEN_EVERY_MS, idleMs / 10)) {
    s.seenAt = now;
    pendingSeen.add(s.id);
  }
  return s;
}

export function webSessionActions(ctx: Ctx, verify: VerifyActions) {
  const index = ctx.ix.webSessions;
  const a = ctx.config.auth;
  const idleMs = a.login_maximum_inactive_lifetime_duration * 1000;
  const maxMs = a.login_maximum_lifetime_duration * 1000;
  const rotationMs = a.token_rotation_interval_minutes * 60_000;
  const misses = boundedCache<string, true>(10_000);
  const pendingSeen = new Set<number>();

  async function create(user: User, client: { ip: string; userAgent?: string }): Promise<{ token: string; session: WebSession }> {
    const token = randomAlnum(32);
    const now = Date.now();
    const tokenHash = sha256hex(token);
    await ctx.write({
      // with where it came from, for the account's session list (user-sessions.ts)
      run: () => ctx.store.webSessions.create({ userId: user.id, tokenHash, prevTokenHash: null, createdAt: now, rotatedAt: now, seenAt: now, revokedAt: null },
        { ip: normalizeIp(client.ip), userAgent: client.userAgent ?? '' }),
      changes: () => [{ kind: 'web-sessions', userId: user.id }],
    });
    misses.delete(tokenHash);
    return { token, session: index.byTokenHash(tokenHash)! };
  }

  return {
    /** The window of live sessions (for the index's loads). */
    window: () => ({ seenSince: Date.now() - idleMs, createdSince: Date.now() - maxMs }),
    rotationMs,

    /** POST /login: a verified password opens a browser session. */
    async login(b: { user: string; password: string; ip: string; userAgent?: string }): Promise<{ user: User; token: string; session: WebSession }> {
      if (a.disable_login_form || a.disable_login) throw fail('GRAFANA_LOGIN_DISABLED');
      const user = await verify.grafanaPassword(b.user, b.password, b.ip, { cache: false, form: true });
      const { token, session } = await create(user, b);
      await ctx.audit.record('login_ok', { username: user.username, ip: b.ip, detail: { face: 'grafana' } });
      return { user, token, session };
    },

    lookup: (token: string) => lookup(ctx, { misses, pendingSeen, idleMs, maxMs }, token),

    needsRotation: (s: WebSession) => Date.now() - s.rotatedAt >= rotationMs,

    /** Replaces the session's token; the new token and the session as it is now (for the cookies). */
    async rotate(s: WebSession): Promise<{ token: string; session: WebSession }> {
      const token = randomAlnum(32);
      const hash = sha256hex(token);
      await ctx.write({ run: () => ctx.store.webSessions.rotate(s.id, hash, s.tokenHash, Date.now()), changes: () => [{ kind: 'web-sessions', userId: s.userId }] });
      return { token, session: index.getById(s.id) ?? { ...s, prevTokenHash: s.tokenHash, tokenHash: hash, rotatedAt: Date.now(), seenAt: Date.now() } };
    },

    /** When the current token is due for rotation (unix seconds), for the `grafana_session_expiry` cookie. */
    nextRotation: (s: WebSession) => Math.floor((s.rotatedAt + rotationMs) / 1000),

    /** GET /logout: ends this session only. */
    async logout(s: WebSession | undefined, username?: string, ip?: string): Promise<void> {
      if (!s) return;
      await ctx.write({ run: () => ctx.store.webSessions.revoke(s.id, Date.now()), changes: () => [{ kind: 'web-sessions', userId: s.userId }] });
      await ctx.audit.record('logout', { username: username ?? null, ip, detail: { face: 'grafana' } });
    },

    async flush(): Promise<void> {
      if (!pendingSeen.size) return;
      const sessions = [...pendingSeen].map((id) => index.getById(id)).filter((s) => s !== undefined);
      pendingSeen.clear();
      const at = Math.max(0, ...sessions.map((s) => s.seenAt));
      if (at > 0) await ctx.store.webSessions.seenMany(sessions.map((s) => s.id), at);
    },

    async prune(): Promise<void> {
      await ctx.store.webSessions.prune(Date.now() - idleMs, Date.now() - maxMs);
      // no login lives longer than the longer of the two faces' lifetimes
      await ctx.store.sessionClients.prune(Date.now() - Math.max(maxMs, ctx.config.authorization.login_timeout * 86400_000));
    },
  };
}

export type WebSessionActions = ReturnType<typeof webSessionActions>;

// Named Moonraker API keys (issue 20): created with a name, a scope and an
// optional lifetime, shown once (only the SHA-256 is stored), sent as X-Api-Key
// (or identify's api_key) like the global key, revoked at once by deleting them.
// 32 hex characters like Moonraker's own key, so a client that checks the
// format takes them. Last-used times are kept in memory and written in batches
// (at most once a minute per key), never a store write per request.
import { boundedCache } from '../cache.js';
import type { Ctx } from '../context.js';
import { fail } from '../errors.js';
import { isScope, type Identity, type MoonrakerKey } from '../model.js';
import { randomHex, sha256hex } from '../security/crypto.js';
import { validateUsername } from '../security/validation.js';
import { DuplicateError } from '../../store/types.js';
import type { LiveKey } from '../indexes/moonraker-keys.js';

const LAST_USED_EVERY_MS = 60_000;
const EXPIRED_AUDIT_EVERY_MS = 60_000;
/** A lifetime of more than ten years is a typo, not a plan. */
const MAX_TTL_SECONDS = 10 * 365 * 86_400;

export interface CreatedKey { name: string; key: string; scope: string; expires_at: number | null }

/** Finding the key a request presents (the hot path), and the write-behind of last-used times. */
function keyVerifier(ctx: Ctx) {
  const index = ctx.ix.moonrakerKeys;
  const pendingTouch = new Set<string>();
  /** Keys presented before → their entry (hashed once; an entry the index has since replaced or dropped is looked up again). */
  const seen = boundedCache<string, LiveKey>(10_000);
  const expiredAudited = boundedCache<string, true>(1000, { ttl: EXPIRED_AUDIT_EVERY_MS });

  function auditExpiredUse(live: LiveKey, ip: string | undefined) {
    if (expiredAudited.has(live.key.name)) return;
    expiredAudited.set(live.key.name, true);
    void ctx.audit.record('key_used_after_expiry', { username: live.identity.username, ip, detail: { kind: 'moonraker_key', name: live.key.name, expiredAt: new Date(live.key.expiresAt!).toISOString() } });
  }

  return {
    /** The identity a named key proves (undefined: no such key); an expired key is refused (and audited, once a minute). */
    verify(candidate: string, ip?: string): Identity | undefined {
      if (index.size === 0) return undefined;
      let live = seen.get(candidate);
      if (!live || index.get(live.key.name) !== live) {
        live = index.bySha256(sha256hex(candidate));
        if (!live) return undefined;
        seen.set(candidate, live);
      }
      const now = Date.now();
      const k = live.key;
      if (k.expiresAt !== null && k.expiresAt <= now) {
        auditExpiredUse(live, ip);
        throw fail('API_KEY_EXPIRED');
      }
      if (k.lastUsedAt === null || now - k.lastUsedAt > LAST_USED_EVERY_MS) {
        k.lastUsedAt = now;
        pendingTouch.add(k.name);
      }
      return live.identity;
    },

    forget: (name: string) => pendingTouch.delete(name),

    /** Writes the last-used times gathered since the last flush (housekeeping: no index mirrors it differently). */
    async flush(): Promise<void> {
      const byTime = new Map<number, number[]>();
      for (const name of pendingTouch) {
        const k = index.get(name)?.key;
        if (k?.lastUsedAt == null) continue;
        byTime.set(k.lastUsedAt, [...(byTime.get(k.lastUsedAt) ?? []), k.id]);
      }
      pendingTouch.clear();
      for (const [at, ids] of byTime) await ctx.store.moonrakerKeys.touch(ids, at);
    },
  };
}

function checkTtl(ttl: unknown): number | null {
  if (ttl === undefined || ttl === null) return null;
  const n = typeof ttl === 'number' ? ttl : Number(ttl);
  if (!Number.isInteger(n) || n <= 0 || n > MAX_TTL_SECONDS) throw fail('INVALID_ARGUMENT', { key: 'expires_in', why: `must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}` });
  return Date.now() + n * 1000;
}

export function moonrakerKeyActions(ctx: Ctx) {
  const index = ctx.ix.moonrakerKeys;
  const verifier = keyVerifier(ctx);

  return {
    verify: verifier.verify,
    flush: verifier.flush,

    /** POST /access/api_keys: the key is in the answer, this once. */
    async create(a: { name: string; scope: unknown; expiresIn?: unknown; actor: Identity | null; ip?: string }): Promise<CreatedKey> {
      validateUsername(a.name, 'name');
      const scope = a.scope;
      if (!isScope(scope)) throw fail('INVALID_SCOPE', { scope: String(scope) });
      const expiresAt = checkTtl(a.expiresIn);
      if (index.get(a.name)) throw fail('NAMED_KEY_EXISTS', { name: a.name });
      const key = randomHex(16);
      let rec: MoonrakerKey;
      try {
        rec = await ctx.write({
          run: () => ctx.store.moonrakerKeys.create({ name: a.name, scope, hash: sha256hex(key), expiresAt }),
          changes: () => [{ kind: 'moonraker-key', name: a.name }],
        });
      } catch (err) {
        if (err instanceof DuplicateError) throw fail('NAMED_KEY_EXISTS', { name: a.name });
        throw err;
      }
      await ctx.audit.record('key_created', { username: a.actor?.username ?? null, ip: a.ip, detail: { kind: 'moonraker_key', name: rec.name, scope, expiresAt } });
      return { name: rec.name, key, scope, expires_at: expiresAt === null ? null : expiresAt / 1000 };
    },

    list: () => index.list(),

    /** DELETE /access/api_keys?name=: the very next request with it, and every websocket identified with it, is refused. */
    async delete(a: { name: string; actor: Identity | null; ip?: string }): Promise<void> {
      const ok = await ctx.write({ run: () => ctx.store.moonrakerKeys.delete(a.name), changes: () => [{ kind: 'moonraker-key', name: a.name }] });
      if (!ok) throw fail('NO_SUCH_NAMED_KEY', { name: a.name });
      verifier.forget(a.name);
      await ctx.audit.record('key_deleted', { username: a.actor?.username ?? null, ip: a.ip, detail: { kind: 'moonraker_key', name: a.name } });
    },
  };
}

export type MoonrakerKeyActions = ReturnType<typeof moonrakerKeyActions>;

// Grafana API keys and service-account tokens: finding the key a request
// presents (Grafana's order of checks), creating, importing and deleting keys.
// last_used_at is kept in memory and flushed in batches, at most once per 5
// minutes per key, as Grafana does. An imported row (Grafana's PBKDF2 hash)
// verifies once the slow way and is then re-stored under SHA-256.
import { boundedCache, storeMisses } from '../cache.js';
import type { Ctx } from '../context.js';
import { fail, type CoreCode } from '../errors.js';
import { isRole, roleIncludes, type ApiKey, type NewApiKey, type Role } from '../model.js';
import { safeEqual } from '../security/crypto.js';
import { decodeKey, grafanaKeyHash, keyHash, newLegacyKey, newServiceAccountToken, type DecodedKey } from '../security/key-formats.js';
import { DuplicateError } from '../../store/types.js';

const LAST_USED_EVERY_MS = 5 * 60_000;
const EXPIRED_AUDIT_EVERY_MS = 60_000;

export interface Caller { role: Role | null; isServerAdmin: boolean }
type Created = { id: number; name: string; key: string };

/** Finding the key a request presents (the hot path), and the write-behind of last-used times. */
export function keyVerifier(ctx: Ctx) {
  const index = ctx.ix.keys;
  /** Keys presented before → decoded form and SHA-256 (decoded and hashed once; the record is still looked up each time). */
  const seen = boundedCache<string, { decoded: DecodedKey; hash: string }>(10_000);
  /** SHA-256s of well-formed keys that matched nothing while imported rows exist (a miss costs one PBKDF2 at most once). */
  const misses = boundedCache<string, true>(10_000);
  const expiredAudited = boundedCache<number, true>(10_000, { ttl: EXPIRED_AUDIT_EVERY_MS });
  const pendingTouch = new Set<number>();
  const fromStore = storeMisses((hash) => index.fetchBySha256(hash)); // made on another instance a moment ago

  /** The slow way, once per imported key: Grafana's PBKDF2, then re-stored under SHA-256. */
  async function verifyImported(hash: string, d: DecodedKey): Promise<ApiKey | undefined> {
    const candidate = d.kind === 'legacy' ? index.importedByName(d.orgId, d.name) : undefined;
    if (d.kind === 'legacy' && !candidate) return void misses.set(hash, true);
    const grafanaHash = await grafanaKeyHash(d);
    const key = d.kind === 'legacy' ? (safeEqual(candidate!.hash, grafanaHash) ? candidate : undefined) : index.importedByHash(grafanaHash);
    if (!key) return void misses.set(hash, true);
    await ctx.write({ run: () => ctx.store.apiKeys.rehash(key.id, hash, 'sha256'), changes: () => [{ kind: 'grafana-key', id: key.id }] });
    return index.bySha256(hash);
  }

  /** key_used_after_expiry, at most once a minute per key (fire and forget: a retry loop is no write storm). */
  function auditExpiredUse(key: ApiKey, ip: string | undefined) {
    if (expiredAudited.has(key.id)) return;
    expiredAudited.set(key.id, true);
    void ctx.audit.record('key_used_after_expiry', {
      username: key.serviceAccountId === null ? `api_key:${key.name}` : ctx.ix.users.getById(key.serviceAccountId)?.username ?? null,
      ip,
      detail: { id: key.id, name: key.name, orgId: key.orgId, serviceAccountId: key.serviceAccountId, expiredAt: new Date(key.expiresAt!).toISOString() },
    });
  }

  return {
    /** Forgets what was learnt about keys that matched nothing (a key was just added). */
    forgetMisses: () => misses.clear(),

    /**
     * The key a request presents. Grafana's order: malformed / unknown → invalid;
     * then expired → revoked → not the requested org (`requestedOrg` 0: none named).
     */
    async verify(token: string, requestedOrg: number, ip?: string): Promise<ApiKey> {
      const known = seen.get(token);
      const decoded = known ? known.decoded : decodeKey(token);
      if (!decoded) throw fail('GRAFANA_API_KEY_INVALID');
      const hash = known ? known.hash : keyHash(token);
      let key = index.bySha256(hash);
      if (!key && index.hasImported && !misses.has(hash)) key = await verifyImported(hash, decoded);
      key ??= await fromStore(hash);
      if (!key) throw fail('GRAFANA_API_KEY_INVALID');
      if (!known) seen.set(token, { decoded, hash });
      if (decoded.kind === 'legacy' && (decoded.orgId !== key.orgId || decoded.name !== key.name)) throw fail('GRAFANA_API_KEY_INVALID');
      const now = Date.now();
      if (key.expiresAt !== null && key.expiresAt <= now) {
        auditExpiredUse(key, ip);
        throw fail('GRAFANA_API_KEY_EXPIRED');
      }
      if (key.isRevoked) throw fail('GRAFANA_API_KEY_REVOKED');
      if (requestedOrg !== 0 && requestedOrg !== key.orgId) throw fail('GRAFANA_API_KEY_ORG_MISMATCH');
      if (key.lastUsedAt === null || now - key.lastUsedAt > LAST_USED_EVERY_MS) {
        key.lastUsedAt = now;
        pendingTouch.add(key.id);
      }
      return key;
    },

    /** Writes the last-used times gathered since the last flush (housekeeping: no index mirrors it differently). */
    async flush(): Promise<void> {
      const byTime = new Map<number, number[]>();
      for (const id of pendingTouch) {
        const at = index.get(id)?.lastUsedAt;
        if (at == null) continue;
        const bucket = Math.floor(at / 1000) * 1000;
        byTime.set(bucket, [...(byTime.get(bucket) ?? []), id]);
      }
      pendingTouch.clear();
      for (const [at, ids] of byTime) await ctx.store.apiKeys.touch(ids, at);
    },

  };
}

/** The latest expiry a key may have: the end of the year 9999 (a date every format and store holds). */
const LAST_EXPIRY_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/** The expiry rules shared by keys and service-account tokens (`api_key_max_seconds_to_live`), and an expiry a date can hold. */
function checkTtl(ctx: Ctx, secondsToLive: number) {
  const max = ctx.config.auth.api_key_max_seconds_to_live;
  if (max !== -1) {
    if (!secondsToLive) throw fail('TTL_REQUIRED');
    if (secondsToLive > max) throw fail('TTL_ABOVE_LIMIT');
  }
  // Differs from Grafana (which overflows): an expiry past the year 9999 is refused at input (issue 17 finding 8).
  if (secondsToLive > 0 && !(Date.now() + secondsToLive * 1000 <= LAST_EXPIRY_MS)) throw fail('TTL_TOO_LARGE');
}

/** Creating, importing and deleting keys and tokens. */
export function keyAdmin(ctx: Ctx, onInsert: () => void) {
  const index = ctx.ix.keys;
  async function insert(k: NewApiKey, duplicate: CoreCode): Promise<ApiKey> {
    try {
      const rec = await ctx.write({ run: () => ctx.store.apiKeys.create(k), changes: (r) => [{ kind: 'grafana-key', id: r.id }] });
      onInsert();
      return rec;
    } catch (err) {
      if (err instanceof DuplicateError) throw fail(duplicate);
      throw err;
    }
  }

  const expiresAt = (secondsToLive: number) => (secondsToLive > 0 ? Date.now() + secondsToLive * 1000 : null);

  return {
    get: (id: number) => index.get(id),
    listLegacy: (orgId: number, includeExpired: boolean) => index.legacyOf(orgId, includeExpired),
    tokensOf: (serviceAccountId: number) => index.tokensOf(serviceAccountId),

    /** POST /api/auth/keys, in Grafana 10's order of checks. The key is returned once and never stored. */
    async createLegacy(a: { orgId: number; name: string; role: string; secondsToLive: number; caller: Caller; actor?: string }): Promise<Created> {
      if (!isRole(a.role)) throw fail('INVALID_ROLE');
      if (!a.caller.isServerAdmin && !roleIncludes(a.caller.role, a.role)) throw fail('ROLE_TOO_HIGH');
      checkTtl(ctx, a.secondsToLive);
      if (a.secondsToLive < 0) throw fail('TTL_NEGATIVE');
      const { key } = newLegacyKey(a.name, a.orgId);
      const rec = await insert({ orgId: a.orgId, name: a.name, role: a.role, hash: keyHash(key), hashKind: 'sha256', serviceAccountId: null, expiresAt: expiresAt(a.secondsToLive) }, 'KEY_DUPLICATE');
      await ctx.audit.record('key_created', { username: a.actor ?? null, detail: { kind: 'api_key', id: rec.id, orgId: a.orgId, name: a.name, role: a.role } });
      return { id: rec.id, name: rec.name, key };
    },

    /** POST /api/serviceaccounts/:id/tokens (the service account is checked by the caller). */
    async createToken(a: { serviceAccountId: number; orgId: number; role: Role; name: string; secondsToLive: number; actor?: string }): Promise<Created> {
      checkTtl(ctx, a.secondsToLive);
      const days = ctx.config.service_accounts.token_expiration_day_limit;
      if (days && days > 0) {
        // Grafana compares whole days (both sides truncated to UTC midnight); no expiry at all exceeds any limit.
        const day = 86_400_000;
        const limit = Math.floor((Date.now() + days * day) / day) * day;
        const expires = Math.floor((Date.now() + a.secondsToLive * 1000) / day) * day;
        if (a.secondsToLive <= 0 || expires > limit) throw fail('SA_TOKEN_EXPIRY_LIMIT');
      }
      if (a.secondsToLive < 0) throw fail('TTL_NEGATIVE');
      const { key } = newServiceAccountToken();
      const rec = await insert({ orgId: a.orgId, name: a.name, role: a.role, hash: keyHash(key), hashKind: 'sha256', serviceAccountId: a.serviceAccountId, expiresAt: expiresAt(a.secondsToLive) }, 'SA_TOKEN_DUPLICATE');
      await ctx.audit.record('key_created', { username: a.actor ?? null, detail: { kind: 'service_account_token', id: rec.id, serviceAccountId: a.serviceAccountId, name: a.name } });
      return { id: rec.id, name: rec.name, key };
    },

    /** Imports a row from a Grafana database with its PBKDF2 hash as is (CLI). */
    async importGrafanaKey(k: Omit<NewApiKey, 'hashKind'>): Promise<ApiKey> {
      if (!/^[0-9a-f]{100}$/.test(k.hash)) throw fail('KEY_HASH_INVALID');
      return insert({ ...k, hashKind: 'grafana-pbkdf2' }, 'KEY_DUPLICATE');
    },

    /** Deletes a key; the very next request presenting it is refused. */
    async delete(id: number, actor?: string): Promise<boolean> {
      const rec = index.get(id) ?? (await ctx.store.apiKeys.byId(id));
      const ok = await ctx.write({ run: () => ctx.store.apiKeys.delete(id), changes: () => [{ kind: 'grafana-key', id }] });
      if (!ok) return false;
      await ctx.audit.record('key_deleted', { username: actor ?? null, detail: { id, name: rec?.name, serviceAccountId: rec?.serviceAccountId ?? null } });
      return true;
    },

    /** Grafana's migration of an API key to a service account's token. */
    async bindToServiceAccount(id: number, serviceAccountId: number): Promise<void> {
      await ctx.write({ run: () => ctx.store.apiKeys.setServiceAccount(id, serviceAccountId), changes: () => [{ kind: 'grafana-key', id }] });
    },
  };
}

export function grafanaKeyActions(ctx: Ctx) {
  const verifier = keyVerifier(ctx);
  return { ...verifier, ...keyAdmin(ctx, verifier.forgetMisses) };
}

export type GrafanaKeyActions = ReturnType<typeof grafanaKeyActions>;

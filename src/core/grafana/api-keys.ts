// Grafana API keys and service-account tokens: one table, one in-memory index.
//
// The hot path (verify) reads memory only: the index maps SHA-256(key) → key
// record, is loaded at start, updated on create/delete and reloaded when another
// process changes the store. last_used_at is kept in memory and flushed in
// batches on a timer, at most once per 5 minutes per key, as Grafana does.
//
// Rows imported from a Grafana database carry Grafana's PBKDF2 hash
// (hash_kind 'grafana-pbkdf2'); such a key verifies once the slow way and is
// then re-stored under SHA-256.
import type { Core } from '../core.js';
import type { ApiKeyRecord, NewApiKey, Role } from '../../store/types.js';
import { safeEqual } from '../crypto.js';
import { GrafanaErrors as G } from './errors.js';
import { decodeKey, grafanaKeyHash, keyHash, newLegacyKey, newServiceAccountToken, type DecodedKey } from './key-formats.js';
import { isRole, roleIncludes } from './roles.js';
import type { GrafanaOptions } from './options.js';
import type { MaybePromise } from '../maybe-promise.js';

const LAST_USED_EVERY_MS = 5 * 60_000;
const FLUSH_EVERY_MS = 10_000;
const MISS_CACHE_MAX = 10_000;
const SEEN_MAX = 10_000;
/** A key string seen before: decoded and hashed once. */
type Seen = { decoded: DecodedKey; hash: string };
const EXPIRED_AUDIT_EVERY_MS = 60_000;

export interface Caller { role: Role | null; isServerAdmin: boolean }

export class ApiKeyService {
  private byHash = new Map<string, ApiKeyRecord>();
  private byId = new Map<number, ApiKeyRecord>();
  /** Imported rows still under Grafana's PBKDF2 hash: by that hash (prefixed tokens) and by org+name (legacy keys). */
  private pbkdf2ByHash = new Map<string, ApiKeyRecord>();
  private pbkdf2ByName = new Map<string, ApiKeyRecord>();
  /** SHA-256s of well-formed keys that matched nothing while PBKDF2 rows exist (so a miss costs one PBKDF2 at most once). */
  private misses = new Set<string>();
  private pendingTouch = new Set<number>();
  /**
   * Keys that matched a record before → their decoded form and SHA-256, so a key
   * used on every request is decoded and hashed once (the record is still looked
   * up by hash each time: a deleted or revoked key is refused at once). Bounded.
   */
  private seen = new Map<string, Seen>();
  /**
   * `Basic api_key:<key>` Authorization headers whose key verified → that key:
   * such a header is base64-decoded once, not on every request (a memo of the
   * decoding only: verify() still checks the key each time). Bounded.
   */
  private basicHeaders = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private core: Core, private opts: GrafanaOptions) {}

  async load(): Promise<void> {
    const rows = await this.core.store.apiKeys.listAll();
    const keep = new Map<number, number | null>();
    for (const [id] of this.byId) if (this.pendingTouch.has(id)) keep.set(id, this.byId.get(id)!.lastUsedAt);
    this.byHash.clear();
    this.byId.clear();
    this.pbkdf2ByHash.clear();
    this.pbkdf2ByName.clear();
    this.misses.clear();
    this.seen.clear();
    this.basicHeaders.clear();
    for (const r of rows) {
      const pending = keep.get(r.id);
      if (pending !== undefined && pending !== null && (r.lastUsedAt ?? 0) < pending) r.lastUsedAt = pending;
      this.index(r);
    }
  }

  start(): void {
    this.timer = setInterval(() => void this.flush().catch((err) => this.core.opts.log?.error({ err }, 'api key last-used flush failed')), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => {});
  }

  private index(r: ApiKeyRecord) {
    this.byId.set(r.id, r);
    if (r.hashKind === 'sha256') this.byHash.set(r.hash, r);
    else {
      this.pbkdf2ByHash.set(r.hash, r);
      this.pbkdf2ByName.set(`${r.orgId}\0${r.name}`, r);
    }
  }

  private unindex(r: ApiKeyRecord) {
    this.byId.delete(r.id);
    this.byHash.delete(r.hash);
    this.pbkdf2ByHash.delete(r.hash);
    if (this.pbkdf2ByName.get(`${r.orgId}\0${r.name}`) === r) this.pbkdf2ByName.delete(`${r.orgId}\0${r.name}`);
    this.pendingTouch.delete(r.id);
  }

  // ---- the hot path ---------------------------------------------------------

  /**
   * Finds the key a request presents. Grafana's order: malformed / unknown →
   * invalid; then expired → revoked → not the requested org. `requestedOrg` 0
   * means the request named no org.
   */
  verify(token: string, requestedOrg: number, ip?: string): MaybePromise<ApiKeyRecord> {
    const seen = this.seen.get(token);
    const decoded = seen ? seen.decoded : decodeKey(token);
    if (!decoded) throw G.invalidApiKey();
    const hash = seen ? seen.hash : keyHash(token);
    const key = this.byHash.get(hash);
    if (!key && this.pbkdf2ByHash.size > 0 && !this.misses.has(hash)) {
      return this.verifyImported(token, hash, decoded).then((k) => this.accept(k, token, seen, decoded, hash, requestedOrg, ip));
    }
    return this.accept(key, token, seen, decoded, hash, requestedOrg, ip);
  }

  /** The key in an Authorization header seen before with a key that verified (see rememberBasicHeader). */
  keyOfBasicHeader(authorization: string): string | undefined {
    return this.basicHeaders.get(authorization);
  }

  /** Call after `key`, sent as Basic `api_key:<key>` in `authorization`, verified. */
  rememberBasicHeader(authorization: string, key: string): void {
    if (this.basicHeaders.has(authorization)) return;
    if (this.basicHeaders.size >= SEEN_MAX) this.basicHeaders.delete(this.basicHeaders.keys().next().value!);
    this.basicHeaders.set(authorization, key);
  }

  private accept(key: ApiKeyRecord | undefined, token: string, seen: Seen | undefined, decoded: DecodedKey, hash: string, requestedOrg: number, ip?: string): ApiKeyRecord {
    if (!key) throw G.invalidApiKey();
    if (!seen) {
      if (this.seen.size >= SEEN_MAX) this.seen.delete(this.seen.keys().next().value!);
      this.seen.set(token, { decoded, hash });
    }
    if (decoded.kind === 'legacy' && (decoded.orgId !== key.orgId || decoded.name !== key.name)) throw G.invalidApiKey();
    const now = Date.now();
    if (key.expiresAt !== null && key.expiresAt <= now) {
      this.auditExpiredUse(key, now, ip);
      throw G.expiredApiKey();
    }
    if (key.isRevoked) throw G.revokedApiKey();
    if (requestedOrg !== 0 && requestedOrg !== key.orgId) throw G.apiKeyOrgMismatch();
    if (key.lastUsedAt === null || now - key.lastUsedAt > LAST_USED_EVERY_MS) {
      key.lastUsedAt = now;
      this.pendingTouch.add(key.id);
    }
    return key;
  }

  /**
   * key_used_after_expiry, at most once a minute per key: an expired key left in
   * a retry loop must not turn every request into a store write (fire and forget).
   */
  private auditExpiredUse(key: ApiKeyRecord, now: number, ip: string | undefined) {
    if ((this.expiredAudited.get(key.id) ?? -Infinity) > now - EXPIRED_AUDIT_EVERY_MS) return;
    this.expiredAudited.set(key.id, now);
    if (this.expiredAudited.size > MISS_CACHE_MAX) this.expiredAudited.delete(this.expiredAudited.keys().next().value!);
    void this.core.audit.record('key_used_after_expiry', {
      username: key.serviceAccountId === null ? `api_key:${key.name}` : this.core.users.getById(key.serviceAccountId)?.username ?? null,
      ip,
      detail: { id: key.id, name: key.name, orgId: key.orgId, serviceAccountId: key.serviceAccountId, expiredAt: new Date(key.expiresAt!).toISOString() },
    });
  }
  private expiredAudited = new Map<number, number>();

  /** The slow way, once per imported key: Grafana's PBKDF2, then re-stored under SHA-256. */
  private async verifyImported(token: string, hash: string, d: DecodedKey): Promise<ApiKeyRecord | undefined> {
    const candidate = d.kind === 'legacy' ? this.pbkdf2ByName.get(`${d.orgId}\0${d.name}`) : undefined;
    if (d.kind === 'legacy' && !candidate) return this.miss(hash);
    const grafanaHash = await grafanaKeyHash(d);
    const key = d.kind === 'legacy' ? (safeEqual(candidate!.hash, grafanaHash) ? candidate : undefined) : this.pbkdf2ByHash.get(grafanaHash);
    if (!key || !this.byId.has(key.id)) return this.miss(hash);
    await this.core.store.apiKeys.rehash(key.id, hash, 'sha256');
    this.unindex(key);
    this.index({ ...key, hash, hashKind: 'sha256' });
    await this.core.changed();
    return this.byHash.get(hash);
  }

  private miss(hash: string): undefined {
    if (this.misses.size >= MISS_CACHE_MAX) this.misses.clear();
    this.misses.add(hash);
    return undefined;
  }

  async flush(): Promise<void> {
    if (!this.pendingTouch.size) return;
    const byTime = new Map<number, number[]>();
    for (const id of this.pendingTouch) {
      const at = this.byId.get(id)?.lastUsedAt;
      if (at == null) continue;
      const bucket = Math.floor(at / 1000) * 1000;
      byTime.set(bucket, [...(byTime.get(bucket) ?? []), id]);
    }
    this.pendingTouch.clear();
    for (const [at, ids] of byTime) await this.core.store.apiKeys.touch(ids, at);
  }

  // ---- reads ------------------------------------------------------------------

  get(id: number): ApiKeyRecord | undefined { return this.byId.get(id); }

  /** GET /api/auth/keys: the org's keys (not service-account tokens), by name. */
  listLegacy(orgId: number, includeExpired: boolean): ApiKeyRecord[] {
    const now = Date.now();
    return [...this.byId.values()]
      .filter((k) => k.orgId === orgId && k.serviceAccountId === null && (includeExpired || k.expiresAt === null || k.expiresAt > now))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  tokensOf(serviceAccountId: number): ApiKeyRecord[] {
    return [...this.byId.values()].filter((k) => k.serviceAccountId === serviceAccountId).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // ---- writes -----------------------------------------------------------------

  /** The expiry rules shared by keys and service-account tokens (`api_key_max_seconds_to_live`). */
  private checkTtl(secondsToLive: number) {
    const max = this.opts.apiKeyMaxSecondsToLive;
    if (max !== -1) {
      if (!secondsToLive) throw G.ttlRequired();
      if (secondsToLive > max) throw G.ttlAboveLimit();
    }
  }

  private async insert(k: NewApiKey, duplicate: () => Error): Promise<ApiKeyRecord> {
    let rec: ApiKeyRecord;
    try {
      rec = await this.core.store.apiKeys.create(k);
    } catch (err) {
      if ((err as Error).name === 'DuplicateError') throw duplicate();
      throw err;
    }
    this.index(rec);
    this.misses.clear();
    await this.core.changed();
    return rec;
  }

  /** POST /api/auth/keys, in Grafana 10's order of checks. The key is returned once and never stored. */
  async createLegacy(a: { orgId: number; name: string; role: string; secondsToLive: number; caller: Caller; actor?: string }): Promise<{ id: number; name: string; key: string }> {
    if (!isRole(a.role)) throw G.invalidRole();
    if (!a.caller.isServerAdmin && !roleIncludes(a.caller.role, a.role)) throw G.roleTooHigh();
    this.checkTtl(a.secondsToLive);
    if (a.secondsToLive < 0) throw G.ttlNegative();
    const { key } = newLegacyKey(a.name, a.orgId);
    const rec = await this.insert({
      orgId: a.orgId, name: a.name, role: a.role, hash: keyHash(key), hashKind: 'sha256', serviceAccountId: null,
      expiresAt: a.secondsToLive > 0 ? Date.now() + a.secondsToLive * 1000 : null,
    }, G.keyDuplicate);
    await this.core.audit.record('key_created', { username: a.actor ?? null, detail: { kind: 'api_key', id: rec.id, orgId: a.orgId, name: a.name, role: a.role } });
    return { id: rec.id, name: rec.name, key };
  }

  /** POST /api/serviceaccounts/:id/tokens (the service account is checked by the caller). */
  async createToken(a: { serviceAccountId: number; orgId: number; role: Role; name: string; secondsToLive: number; actor?: string }): Promise<{ id: number; name: string; key: string }> {
    this.checkTtl(a.secondsToLive);
    const days = this.opts.tokenExpirationDayLimit;
    if (days && days > 0) {
      // Grafana compares whole days (both sides truncated to UTC midnight); no expiry at all exceeds any limit.
      const day = 86_400_000;
      const limit = Math.floor((Date.now() + days * day) / day) * day;
      const expires = Math.floor((Date.now() + a.secondsToLive * 1000) / day) * day;
      if (a.secondsToLive <= 0 || expires > limit) throw G.saTokenExpiryLimit();
    }
    if (a.secondsToLive < 0) throw G.ttlNegative();
    const { key } = newServiceAccountToken();
    const rec = await this.insert({
      orgId: a.orgId, name: a.name, role: a.role, hash: keyHash(key), hashKind: 'sha256', serviceAccountId: a.serviceAccountId,
      expiresAt: a.secondsToLive > 0 ? Date.now() + a.secondsToLive * 1000 : null,
    }, G.saTokenDuplicate);
    await this.core.audit.record('key_created', { username: a.actor ?? null, detail: { kind: 'service_account_token', id: rec.id, serviceAccountId: a.serviceAccountId, name: a.name } });
    return { id: rec.id, name: rec.name, key };
  }

  /** Imports a row from a Grafana database with its PBKDF2 hash as is (CLI). */
  async importGrafanaKey(k: Omit<NewApiKey, 'hashKind'>): Promise<ApiKeyRecord> {
    if (!/^[0-9a-f]{100}$/.test(k.hash)) throw G.legacy(400, 'a Grafana key hash is 100 hex characters');
    return this.insert({ ...k, hashKind: 'grafana-pbkdf2' }, G.keyDuplicate);
  }

  /** Deletes a key; the very next request presenting it is refused. */
  async delete(id: number, actor?: string): Promise<boolean> {
    const rec = this.byId.get(id) ?? (await this.core.store.apiKeys.byId(id));
    const ok = await this.core.store.apiKeys.delete(id);
    if (rec) this.unindex(this.byId.get(id) ?? rec);
    if (!ok) return false;
    await this.core.changed();
    await this.core.audit.record('key_deleted', { username: actor ?? null, detail: { id, name: rec?.name, serviceAccountId: rec?.serviceAccountId ?? null } });
    return true;
  }

  async bindToServiceAccount(id: number, serviceAccountId: number): Promise<void> {
    await this.core.store.apiKeys.setServiceAccount(id, serviceAccountId);
    const k = this.byId.get(id);
    if (k) k.serviceAccountId = serviceAccountId;
  }

  /** Drops a deleted service account's tokens from the index (the store cascades). */
  forgetServiceAccount(serviceAccountId: number) {
    for (const k of [...this.byId.values()]) if (k.serviceAccountId === serviceAccountId) this.unindex(k);
  }

  forgetOrg(orgId: number) {
    for (const k of [...this.byId.values()]) if (k.orgId === orgId) this.unindex(k);
  }
}

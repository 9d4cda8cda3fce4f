// The Store contract over Kysely. Engine adapters (../sqlite.ts, ../postgres.ts)
// supply the connection and the way their driver reports unique violations.
import { Migrator, type Kysely, type Selectable } from 'kysely';
import {
  DuplicateError,
  type ApiKeyRecord,
  type AuditEvent,
  type OrgMembership,
  type OrgRecord,
  type Role,
  type Store,
  type TokenSession,
  type UserRecord,
  type WebSession,
} from '../types.js';
import { migrationProvider, type Engine } from './migrations.js';
import { prepared } from './prepared.js';
import type { Tables } from './tables.js';

type Row<T extends keyof Tables> = Selectable<Tables[T]>;

const toUser = (r: Row<'users'>): UserRecord => ({
  id: Number(r.id),
  uid: r.uid,
  username: r.username,
  email: r.email,
  name: r.name,
  passwordHash: r.password_hash,
  source: r.source,
  isAdmin: !!r.is_admin,
  isServiceAccount: !!r.is_service_account,
  isDisabled: !!r.is_disabled,
  orgId: Number(r.org_id),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const toSession = (r: Row<'token_sessions'>): TokenSession => ({
  id: r.id,
  userId: Number(r.user_id),
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  revokedAt: r.revoked_at == null ? null : Number(r.revoked_at),
  refreshJti: r.refresh_jti,
});

const toKey = (r: Row<'api_keys'>): ApiKeyRecord => ({
  id: Number(r.id),
  orgId: Number(r.org_id),
  name: r.name,
  role: r.role as Role,
  hash: r.hash,
  hashKind: r.hash_kind as ApiKeyRecord['hashKind'],
  serviceAccountId: r.service_account_id == null ? null : Number(r.service_account_id),
  expiresAt: r.expires_at == null ? null : Number(r.expires_at),
  lastUsedAt: r.last_used_at == null ? null : Number(r.last_used_at),
  createdAt: Number(r.created_at),
  isRevoked: !!r.is_revoked,
});

const toWebSession = (r: Row<'web_sessions'>): WebSession => ({
  id: Number(r.id),
  userId: Number(r.user_id),
  tokenHash: r.token_hash,
  prevTokenHash: r.prev_token_hash,
  createdAt: Number(r.created_at),
  rotatedAt: Number(r.rotated_at),
  seenAt: Number(r.seen_at),
  revokedAt: r.revoked_at == null ? null : Number(r.revoked_at),
});

const toOrg = (r: Row<'orgs'>): OrgRecord => ({ id: Number(r.id), name: r.name, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) });

const toMembership = (r: Row<'org_users'>): OrgMembership => ({ orgId: Number(r.org_id), userId: Number(r.user_id), role: r.role as Role, createdAt: Number(r.created_at) });

const bool = (b: boolean) => (b ? 1 : 0);

export interface EngineAdapter {
  engine: Engine;
  db: Kysely<Tables>;
  isUniqueViolation(err: unknown): boolean;
  serve?(): Promise<void>;
  close(): Promise<void>;
}

export function createSqlStore(a: EngineAdapter): Store {
  const { db } = a;
  const unique = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (a.isUniqueViolation(err)) throw new DuplicateError(what);
      throw err;
    }
  };

  /** Failed logins by one account or one address since `since`. */
  const attemptCount = (by: 'username' | 'ip', value: string, since: number) =>
    db.selectFrom('login_attempts').select((eb) => eb.fn.countAll<number>().as('n')).where(by, '=', value).where('at', '>=', since);

  // What every login runs, built and compiled once.
  const hot = {
    createSession: prepared(db, (id: string, userId: number, createdAt: number, expiresAt: number, revokedAt: number | null, refreshJti: string | null) =>
      db.insertInto('token_sessions').values({ id, user_id: userId, created_at: createdAt, expires_at: expiresAt, revoked_at: revokedAt, refresh_jti: refreshJti })),
    appendAudit: prepared(db, (at: number, event: string, username: string | null, ip: string | null, detail: string | null) =>
      db.insertInto('audit_log').values({ at, event, username, ip, detail })),
    addAttempt: prepared(db, (username: string, ip: string, at: number) => db.insertInto('login_attempts').values({ username, ip, at })),
    attemptsByUsername: prepared(db, (username: string, since: number) => attemptCount('username', username, since)),
    attemptsByIp: prepared(db, (ip: string, since: number) => attemptCount('ip', ip, since)),
    attempts: prepared(db, (username: string, ip: string, since: number) => db.selectNoFrom([
      attemptCount('username', username, since).as('by_username'),
      attemptCount('ip', ip, since).as('by_ip'),
    ])),
  };

  return {
    engine: a.engine,
    async migrate() {
      const migrator = new Migrator({ db, provider: migrationProvider(a.engine) });
      const { error, results } = await migrator.migrateToLatest();
      if (error) {
        const failed = results?.find((r) => r.status === 'Error');
        throw new Error(`store migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message}`);
      }
    },
    serve: async () => { await a.serve?.(); },
    close: () => a.close(),

    users: {
      async create(u) {
        const now = u.createdAt ?? Date.now();
        const row = await unique('user', () => db.transaction().execute(async (tx) => {
          const row = await tx.insertInto('users').values({
            uid: u.uid,
            username: u.username,
            email: u.email,
            name: u.name,
            password_hash: u.passwordHash,
            source: u.source,
            is_admin: bool(u.isAdmin),
            is_service_account: bool(u.isServiceAccount),
            is_disabled: bool(u.isDisabled),
            org_id: u.orgId,
            created_at: now,
            updated_at: now,
          }).returningAll().executeTakeFirstOrThrow();
          for (const m of u.memberships ?? []) {
            await tx.insertInto('org_users').values({ org_id: m.orgId, user_id: row.id, role: m.role, created_at: now }).execute();
          }
          return row;
        }));
        return toUser(row);
      },
      async byId(id) {
        const r = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
        return r && toUser(r);
      },
      async byUsername(username) {
        const r = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
        return r && toUser(r);
      },
      async list() {
        return (await db.selectFrom('users').selectAll().orderBy('id').execute()).map(toUser);
      },
      async update(id, p) {
        const values: Partial<Tables['users']> = { updated_at: Date.now() };
        if (p.email !== undefined) values.email = p.email;
        if (p.name !== undefined) values.name = p.name;
        if (p.passwordHash !== undefined) values.password_hash = p.passwordHash;
        if (p.isAdmin !== undefined) values.is_admin = bool(p.isAdmin);
        if (p.isDisabled !== undefined) values.is_disabled = bool(p.isDisabled);
        if (p.orgId !== undefined) values.org_id = p.orgId;
        if (p.username !== undefined) values.username = p.username;
        await unique('user', () => db.updateTable('users').set(values as any).where('id', '=', id).execute());
      },
      async delete(id) {
        const r = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      async count() {
        const r = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        return Number(r.n);
      },
    },

    sessions: {
      async create(s) {
        await hot.createSession(s.id, s.userId, s.createdAt, s.expiresAt, s.revokedAt, s.refreshJti);
      },
      async byId(id) {
        const r = await db.selectFrom('token_sessions').selectAll().where('id', '=', id).executeTakeFirst();
        return r && toSession(r);
      },
      async listLive(now) {
        const rows = await db.selectFrom('token_sessions').selectAll()
          .where('revoked_at', 'is', null).where('expires_at', '>', now).execute();
        return rows.map(toSession);
      },
      async revoke(id, at) {
        await db.updateTable('token_sessions').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
      },
      async revokeForUser(userId, at, exceptId) {
        let q = db.updateTable('token_sessions').set({ revoked_at: at })
          .where('user_id', '=', userId).where('revoked_at', 'is', null);
        if (exceptId) q = q.where('id', '!=', exceptId);
        const rows = await q.returning('id').execute();
        return rows.map((r) => r.id);
      },
      async setRefreshJti(id, jti, expected) {
        let q = db.updateTable('token_sessions').set({ refresh_jti: jti }).where('id', '=', id).where('revoked_at', 'is', null);
        q = expected === null ? q.where('refresh_jti', 'is', null) : q.where('refresh_jti', '=', expected);
        const r = await q.executeTakeFirst();
        return Number(r.numUpdatedRows) === 1;
      },
    },

    oneshot: {
      async put(tokenHash, rec) {
        await db.insertInto('oneshot_tokens').values({
          token_hash: tokenHash, user_id: rec.userId, identity_kind: rec.identityKind, ip: rec.ip, expires_at: rec.expiresAt,
        }).execute();
      },
      async take(tokenHash) {
        const r = await db.deleteFrom('oneshot_tokens').where('token_hash', '=', tokenHash).returningAll().executeTakeFirst();
        return r && {
          userId: r.user_id == null ? null : Number(r.user_id),
          identityKind: r.identity_kind,
          ip: r.ip,
          expiresAt: Number(r.expires_at),
        };
      },
      async prune(now) {
        await db.deleteFrom('oneshot_tokens').where('expires_at', '<=', now).execute();
      },
    },

    settings: {
      async get(key) {
        const r = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
        return r?.value;
      },
      async set(key, value) {
        await db.insertInto('settings').values({ key, value })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
      },
    },

    audit: {
      async append(e) {
        await hot.appendAudit(e.at, e.event, e.username, e.ip, e.detail ? JSON.stringify(e.detail) : null);
      },
      async query(f) {
        let q = db.selectFrom('audit_log').selectAll();
        if (f.event) q = q.where('event', '=', f.event);
        if (f.username) q = q.where('username', '=', f.username);
        if (f.since !== undefined) q = q.where('at', '>=', f.since);
        if (f.until !== undefined) q = q.where('at', '<=', f.until);
        const rows = await q.orderBy('id', 'desc').limit(f.limit ?? 100).execute();
        return rows.map((r): AuditEvent => ({
          id: Number(r.id), at: Number(r.at), event: r.event, username: r.username, ip: r.ip,
          detail: r.detail ? JSON.parse(r.detail) : null,
        }));
      },
    },

    orgs: {
      async create(name) {
        const now = Date.now();
        const r = await unique('org', () =>
          db.insertInto('orgs').values({ name, created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow());
        return toOrg(r);
      },
      async byId(id) {
        const r = await db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
        return r && toOrg(r);
      },
      async byName(name) {
        const r = await db.selectFrom('orgs').selectAll().where('name', '=', name).executeTakeFirst();
        return r && toOrg(r);
      },
      async list() {
        const rows = await db.selectFrom('orgs').selectAll().orderBy('name').execute();
        return rows.map(toOrg);
      },
      async rename(id, name) {
        await unique('org', () => db.updateTable('orgs').set({ name, updated_at: Date.now() }).where('id', '=', id).execute());
      },
      async delete(id) {
        await db.transaction().execute(async (tx) => {
          await tx.deleteFrom('api_keys').where('org_id', '=', id).execute();
          await tx.deleteFrom('org_users').where('org_id', '=', id).execute();
          await tx.deleteFrom('orgs').where('id', '=', id).execute();
        });
      },
      async addMember(orgId, userId, role) {
        await unique('membership', () =>
          db.insertInto('org_users').values({ org_id: orgId, user_id: userId, role, created_at: Date.now() }).execute());
      },
      async setRole(orgId, userId, role) {
        await db.updateTable('org_users').set({ role }).where('org_id', '=', orgId).where('user_id', '=', userId).execute();
      },
      async removeMember(orgId, userId) {
        const r = await db.deleteFrom('org_users').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      async membership(orgId, userId) {
        const r = await db.selectFrom('org_users').selectAll().where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
        return r && toMembership(r);
      },
      async membershipsOfUser(userId) {
        const rows = await db.selectFrom('org_users').selectAll().where('user_id', '=', userId).orderBy('org_id').execute();
        return rows.map(toMembership);
      },
      async members(orgId) {
        const rows = await db.selectFrom('org_users').selectAll().where('org_id', '=', orgId).orderBy('user_id').execute();
        return rows.map(toMembership);
      },
      async allMemberships() {
        const rows = await db.selectFrom('org_users').selectAll().execute();
        return rows.map(toMembership);
      },
    },

    apiKeys: {
      async create(k) {
        const r = await unique('api key', () =>
          db.insertInto('api_keys').values({
            org_id: k.orgId, name: k.name, role: k.role, hash: k.hash, hash_kind: k.hashKind,
            service_account_id: k.serviceAccountId, expires_at: k.expiresAt, last_used_at: null,
            created_at: Date.now(), is_revoked: 0,
          }).returningAll().executeTakeFirstOrThrow());
        return toKey(r);
      },
      async byId(id) {
        const r = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
        return r && toKey(r);
      },
      async byHash(hash) {
        const r = await db.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst();
        return r && toKey(r);
      },
      async byOrgAndName(orgId, name) {
        const r = await db.selectFrom('api_keys').selectAll().where('org_id', '=', orgId).where('name', '=', name).executeTakeFirst();
        return r && toKey(r);
      },
      async list(f) {
        let q = db.selectFrom('api_keys').selectAll();
        if (f.orgId !== undefined) q = q.where('org_id', '=', f.orgId);
        if (f.serviceAccountId === null) q = q.where('service_account_id', 'is', null);
        else if (f.serviceAccountId !== undefined) q = q.where('service_account_id', '=', f.serviceAccountId);
        return (await q.orderBy('name').execute()).map(toKey);
      },
      async listAll() {
        return (await db.selectFrom('api_keys').selectAll().execute()).map(toKey);
      },
      async delete(id) {
        const r = await db.deleteFrom('api_keys').where('id', '=', id).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      async rehash(id, hash, hashKind) {
        await db.updateTable('api_keys').set({ hash, hash_kind: hashKind }).where('id', '=', id).execute();
      },
      async touch(ids, at) {
        if (ids.length) await db.updateTable('api_keys').set({ last_used_at: at }).where('id', 'in', ids).execute();
      },
      async setServiceAccount(id, serviceAccountId) {
        await db.updateTable('api_keys').set({ service_account_id: serviceAccountId }).where('id', '=', id).execute();
      },
    },

    webSessions: {
      async create(s) {
        const r = await db.insertInto('web_sessions').values({
          user_id: s.userId, token_hash: s.tokenHash, prev_token_hash: s.prevTokenHash, created_at: s.createdAt,
          rotated_at: s.rotatedAt, seen_at: s.seenAt, revoked_at: s.revokedAt,
        }).returningAll().executeTakeFirstOrThrow();
        return toWebSession(r);
      },
      async byHash(hash) {
        const r = await db.selectFrom('web_sessions').selectAll()
          .where((eb) => eb.or([eb('token_hash', '=', hash), eb('prev_token_hash', '=', hash)])).executeTakeFirst();
        return r && toWebSession(r);
      },
      async rotate(id, newHash, prevHash, at) {
        await db.updateTable('web_sessions').set({ token_hash: newHash, prev_token_hash: prevHash, rotated_at: at, seen_at: at })
          .where('id', '=', id).execute();
      },
      async seen(id, at) {
        await db.updateTable('web_sessions').set({ seen_at: at }).where('id', '=', id).execute();
      },
      async revoke(id, at) {
        await db.updateTable('web_sessions').set({ revoked_at: at }).where('id', '=', id).execute();
      },
      async revokeForUser(userId, at) {
        await db.updateTable('web_sessions').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
      },
      async listLive(seenSince, createdSince) {
        const rows = await db.selectFrom('web_sessions').selectAll().where('revoked_at', 'is', null)
          .where('seen_at', '>=', seenSince).where('created_at', '>=', createdSince).execute();
        return rows.map(toWebSession);
      },
      async seenMany(ids, at) {
        if (ids.length) await db.updateTable('web_sessions').set({ seen_at: at }).where('id', 'in', ids).where('seen_at', '<', at).execute();
      },
      async prune(seenBefore, createdBefore) {
        await db.deleteFrom('web_sessions')
          .where((eb) => eb.or([eb('revoked_at', 'is not', null), eb('seen_at', '<', seenBefore), eb('created_at', '<', createdBefore)])).execute();
      },
    },

    loginAttempts: {
      async add(username, ip, at) {
        await hot.addAttempt(username, ip, at);
      },
      async countByUsername(username, since) {
        return Number((await hot.attemptsByUsername(username, since)).rows[0]!.n);
      },
      async countByIp(ip, since) {
        return Number((await hot.attemptsByIp(ip, since)).rows[0]!.n);
      },
      async counts(username, ip, since) {
        const r = (await hot.attempts(username, ip, since)).rows[0]!;
        return { username: Number(r.by_username), ip: Number(r.by_ip) };
      },
      async resetUsername(username) {
        await db.deleteFrom('login_attempts').where('username', '=', username).execute();
      },
      async prune(before) {
        await db.deleteFrom('login_attempts').where('at', '<', before).execute();
      },
    },
  };
}

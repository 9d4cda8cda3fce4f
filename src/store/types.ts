// The storage contract. Every engine implements Store over the domain's types
// (src/core/model.ts); the core never sees SQL.
import type {
  ApiKey, AuditEvent, AuditFilter, Membership, MoonrakerKey, NewApiKey, NewMoonrakerKey, NewUser, OneshotGrant, Org, Role, SessionClient, TokenFamily, User,
  UserPatch, WebSession,
} from '../core/model.js';

/** Where a login came from (see SessionClient). */
export interface LoginClient { ip: string; userAgent: string }

export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  migrate(): Promise<void>;
  /**
   * Start-up is over and requests are about to be served: from now on no query
   * may block the event loop for long (see sqlite.ts).
   */
  serve(): Promise<void>;
  close(): Promise<void>;
  /**
   * A cheap look at whether any process may have written since the last look
   * (SQLite: PRAGMA data_version, sqlite-thread.ts). The polling feed reads the store
   * only when it says yes; an engine without one is read at every poll.
   */
  readonly mayHaveChanged?: () => Promise<boolean>;
  /** A message channel between the processes sharing this store, where the engine has one (PostgreSQL: LISTEN/NOTIFY). */
  readonly channel?: StoreChannel;
  /** Every table's rows as they are, for copying a store to another engine (store/copy.ts). */
  readonly tables: TableAccess;
  /** Told every store call's duration (metrics). */
  observe: ((method: string, ms: number, ok: boolean) => void) | undefined;

  users: {
    create(user: NewUser): Promise<User>;
    byId(id: number): Promise<User | undefined>;
    byUsername(username: string): Promise<User | undefined>;
    list(): Promise<User[]>;
    update(id: number, patch: UserPatch): Promise<void>;
    delete(id: number): Promise<boolean>;
    count(): Promise<number>;
  };
  sessions: {
    /** With `client`, where the login came from is written in the same transaction (a session_clients row). */
    create(s: TokenFamily, client?: LoginClient): Promise<void>;
    byId(id: string): Promise<TokenFamily | undefined>;
    listLive(now: number): Promise<TokenFamily[]>;
    liveOfUser(userId: number, now: number): Promise<TokenFamily[]>;
    revoke(id: string, at: number): Promise<void>;
    revokeForUser(userId: number, at: number, exceptId?: string): Promise<string[]>;
    setRefreshJti(id: string, jti: string, expected: string | null): Promise<boolean>;
  };
  oneshot: {
    put(tokenHash: string, rec: OneshotGrant): Promise<void>;
    /** Atomically removes and returns the token: a second take of the same token gets nothing. */
    take(tokenHash: string): Promise<OneshotGrant | undefined>;
    prune(now: number): Promise<void>;
  };
  settings: {
    get(key: string): Promise<string | undefined>;
    set(key: string, value: string): Promise<void>;
    /** Writes `value` unless `key` exists; returns what `key` holds afterwards (of concurrent claims, the first wins). */
    claim(key: string, value: string): Promise<string>;
  };
  audit: {
    append(e: AuditEvent): Promise<void>;
    query(f: AuditFilter): Promise<AuditEvent[]>;
  };
  orgs: {
    create(name: string): Promise<Org>;
    byId(id: number): Promise<Org | undefined>;
    byName(name: string): Promise<Org | undefined>;
    list(): Promise<Org[]>;
    rename(id: number, name: string): Promise<void>;
    delete(id: number): Promise<void>;
    addMember(orgId: number, userId: number, role: Role): Promise<void>;
    setRole(orgId: number, userId: number, role: Role): Promise<void>;
    removeMember(orgId: number, userId: number): Promise<boolean>;
    membership(orgId: number, userId: number): Promise<Membership | undefined>;
    membershipsOfUser(userId: number): Promise<Membership[]>;
    members(orgId: number): Promise<Membership[]>;
    /** Every membership of every org (the orgs index holds them in memory). */
    allMemberships(): Promise<Membership[]>;
  };
  apiKeys: {
    create(k: NewApiKey): Promise<ApiKey>;
    byId(id: number): Promise<ApiKey | undefined>;
    byHash(hash: string): Promise<ApiKey | undefined>;
    byOrgAndName(orgId: number, name: string): Promise<ApiKey | undefined>;
    list(filter: { orgId?: number; serviceAccountId?: number | null }): Promise<ApiKey[]>;
    listAll(): Promise<ApiKey[]>;
    delete(id: number): Promise<boolean>;
    rehash(id: number, hash: string, hashKind: ApiKey['hashKind']): Promise<void>;
    touch(ids: number[], at: number): Promise<void>;
    /** Binds a key to a service account (Grafana's migration of API keys to service accounts). */
    setServiceAccount(id: number, serviceAccountId: number): Promise<void>;
  };
  /** Named Moonraker API keys (issue 20). */
  moonrakerKeys: {
    create(k: NewMoonrakerKey): Promise<MoonrakerKey>;
    byName(name: string): Promise<MoonrakerKey | undefined>;
    list(): Promise<MoonrakerKey[]>;
    delete(name: string): Promise<boolean>;
    /** Batched last-used updates. */
    touch(ids: number[], at: number): Promise<void>;
  };
  webSessions: {
    /** With `client`, where the login came from is written in the same transaction (a session_clients row). */
    create(s: Omit<WebSession, 'id'>, client?: LoginClient): Promise<WebSession>;
    byHash(hash: string): Promise<WebSession | undefined>;
    rotate(id: number, newHash: string, prevHash: string, at: number): Promise<void>;
    seen(id: number, at: number): Promise<void>;
    revoke(id: number, at: number): Promise<void>;
    revokeForUser(userId: number, at: number, exceptId?: number): Promise<void>;
    /** Sessions not revoked, seen since `seenSince` and created since `createdSince`. */
    listLive(seenSince: number, createdSince: number): Promise<WebSession[]>;
    liveOfUser(userId: number, seenSince: number, createdSince: number): Promise<WebSession[]>;
    /** Batched last-seen updates. */
    seenMany(ids: number[], at: number): Promise<void>;
    /** Deletes sessions revoked, last seen before `seenBefore` or created before `createdBefore`. */
    prune(seenBefore: number, createdBefore: number): Promise<void>;
  };
  /** Where each login came from (issue 22's session lists; written by sessions.create and webSessions.create); rows go with their account. */
  sessionClients: {
    byId(id: number): Promise<SessionClient | undefined>;
    ofUser(userId: number): Promise<SessionClient[]>;
    /** Deletes rows created before `before` (no session lives longer). */
    prune(before: number): Promise<void>;
  };
  loginAttempts: {
    add(username: string, ip: string, at: number): Promise<void>;
    countByUsername(username: string, since: number): Promise<number>;
    countByIp(ip: string, since: number): Promise<number>;
    /** Both counts in one query (a login asks for both before it checks a password). */
    counts(username: string, ip: string, since: number): Promise<{ username: number; ip: number }>;
    resetUsername(username: string): Promise<void>;
    prune(before: number): Promise<void>;
  };
}

export interface TableAccess {
  /** The tables, parents before children. */
  names(): Promise<string[]>;
  rows(table: string): Promise<Record<string, unknown>[]>;
  insert(table: string, rows: Record<string, unknown>[]): Promise<void>;
  count(table: string): Promise<number>;
  /** After a copy into this store (PostgreSQL: id sequences continue after the copied ids). */
  afterCopy(): Promise<void>;
}

export interface StoreChannel {
  /** Delivers `message` to every listener (this process's own included), once the sending statement commits. */
  send(message: string): Promise<void>;
  /**
   * Listens on a connection of its own until the returned stop is called.
   * `onState(false)` when that connection is lost (messages may be missed until
   * the next `onState(true)`); it reconnects by itself.
   */
  listen(onMessage: (message: string) => void, onState: (up: boolean) => void): () => Promise<void>;
}

/** The store cannot be reached (a restart, a dropped connection, a timeout): the request may be retried; nothing was acknowledged. */
export class StoreUnavailableError extends Error {
  constructor(readonly cause: unknown) {
    super(`store unavailable: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'StoreUnavailableError';
  }
}

/** Raised by a store when a unique constraint refuses a write. */
export class DuplicateError extends Error {
  constructor(what: string) {
    super(`duplicate ${what}`);
    this.name = 'DuplicateError';
  }
}

export type { ApiKey, AuditEvent, AuditFilter, Membership, MoonrakerKey, NewApiKey, NewMoonrakerKey, NewUser, OneshotGrant, Org, Role, SessionClient, TokenFamily, User, UserPatch, WebSession };

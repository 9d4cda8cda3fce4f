// The storage contract. Every engine implements Store; the core never sees SQL.

export type Role = 'Viewer' | 'Editor' | 'Admin';
export const ROLES: readonly Role[] = ['Viewer', 'Editor', 'Admin'];

export interface UserRecord {
  id: number;
  uid: string;
  username: string; // Moonraker username == Grafana login
  email: string | null;
  name: string;
  passwordHash: string | null; // null for LDAP users and service accounts
  source: string; // 'moonraker' (local) | 'ldap'
  isAdmin: boolean; // Grafana server admin
  isServiceAccount: boolean;
  isDisabled: boolean;
  orgId: number; // current (active) org
  createdAt: number; // ms
  updatedAt: number; // ms
}

export type NewUser = Omit<UserRecord, 'id' | 'createdAt' | 'updatedAt'> & {
  createdAt?: number;
  /** Org memberships written in the same transaction as the account: no account is ever left without them. */
  memberships?: { orgId: number; role: Role }[];
};
export type UserPatch = Partial<Pick<UserRecord, 'email' | 'name' | 'passwordHash' | 'isAdmin' | 'isDisabled' | 'orgId' | 'username'>>;

/** A login "family": every access/refresh token issued from one login shares its id. */
export interface TokenSession {
  id: string;
  userId: number;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  refreshJti: string | null; // the refresh token currently valid for this family (rotation)
}

export interface OneshotRecord {
  userId: number | null;
  identityKind: string;
  ip: string;
  expiresAt: number;
}

export interface OrgRecord { id: number; name: string; createdAt: number; updatedAt: number }
export interface OrgMembership { orgId: number; userId: number; role: Role; createdAt: number }

export interface ApiKeyRecord {
  id: number;
  orgId: number;
  name: string;
  role: Role;
  hash: string;
  hashKind: 'sha256' | 'grafana-pbkdf2';
  serviceAccountId: number | null;
  expiresAt: number | null; // ms
  lastUsedAt: number | null;
  createdAt: number;
  isRevoked: boolean;
}
export type NewApiKey = Omit<ApiKeyRecord, 'id' | 'lastUsedAt' | 'createdAt' | 'isRevoked'>;

export interface WebSession {
  id: number;
  userId: number;
  tokenHash: string;
  prevTokenHash: string | null;
  createdAt: number;
  rotatedAt: number;
  seenAt: number;
  revokedAt: number | null;
}

export interface AuditEvent {
  id?: number;
  at: number;
  event: string;
  username: string | null;
  ip: string | null;
  detail: Record<string, unknown> | null;
}
export interface AuditFilter { event?: string; username?: string; since?: number; until?: number; limit?: number }

export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  migrate(): Promise<void>;
  /**
   * Start-up is over and requests are about to be served: from now on no query
   * may block the event loop. (Until then the SQLite store answers on the
   * calling thread, while its own thread boots.)
   */
  serve(): Promise<void>;
  close(): Promise<void>;

  users: {
    create(user: NewUser): Promise<UserRecord>;
    byId(id: number): Promise<UserRecord | undefined>;
    byUsername(username: string): Promise<UserRecord | undefined>;
    list(): Promise<UserRecord[]>;
    update(id: number, patch: UserPatch): Promise<void>;
    delete(id: number): Promise<boolean>;
    count(): Promise<number>;
  };
  sessions: {
    create(s: TokenSession): Promise<void>;
    byId(id: string): Promise<TokenSession | undefined>;
    listLive(now: number): Promise<TokenSession[]>;
    revoke(id: string, at: number): Promise<void>;
    revokeForUser(userId: number, at: number, exceptId?: string): Promise<string[]>;
    setRefreshJti(id: string, jti: string, expected: string | null): Promise<boolean>;
  };
  oneshot: {
    put(tokenHash: string, rec: OneshotRecord): Promise<void>;
    /** Atomically removes and returns the token: a second take of the same token gets nothing. */
    take(tokenHash: string): Promise<OneshotRecord | undefined>;
    prune(now: number): Promise<void>;
  };
  settings: {
    get(key: string): Promise<string | undefined>;
    set(key: string, value: string): Promise<void>;
  };
  audit: {
    append(e: AuditEvent): Promise<void>;
    query(f: AuditFilter): Promise<AuditEvent[]>;
  };
  orgs: {
    create(name: string): Promise<OrgRecord>;
    byId(id: number): Promise<OrgRecord | undefined>;
    byName(name: string): Promise<OrgRecord | undefined>;
    list(): Promise<OrgRecord[]>;
    rename(id: number, name: string): Promise<void>;
    delete(id: number): Promise<void>;
    addMember(orgId: number, userId: number, role: Role): Promise<void>;
    setRole(orgId: number, userId: number, role: Role): Promise<void>;
    removeMember(orgId: number, userId: number): Promise<boolean>;
    membership(orgId: number, userId: number): Promise<OrgMembership | undefined>;
    membershipsOfUser(userId: number): Promise<OrgMembership[]>;
    members(orgId: number): Promise<OrgMembership[]>;
    /** Every membership of every org (the Grafana face indexes them in memory). */
    allMemberships(): Promise<OrgMembership[]>;
  };
  apiKeys: {
    create(k: NewApiKey): Promise<ApiKeyRecord>;
    byId(id: number): Promise<ApiKeyRecord | undefined>;
    byHash(hash: string): Promise<ApiKeyRecord | undefined>;
    byOrgAndName(orgId: number, name: string): Promise<ApiKeyRecord | undefined>;
    list(filter: { orgId?: number; serviceAccountId?: number | null }): Promise<ApiKeyRecord[]>;
    listAll(): Promise<ApiKeyRecord[]>;
    delete(id: number): Promise<boolean>;
    rehash(id: number, hash: string, hashKind: ApiKeyRecord['hashKind']): Promise<void>;
    touch(ids: number[], at: number): Promise<void>;
    /** Binds a key to a service account (Grafana's migration of API keys to service accounts). */
    setServiceAccount(id: number, serviceAccountId: number): Promise<void>;
  };
  webSessions: {
    create(s: Omit<WebSession, 'id'>): Promise<WebSession>;
    byHash(hash: string): Promise<WebSession | undefined>;
    rotate(id: number, newHash: string, prevHash: string, at: number): Promise<void>;
    seen(id: number, at: number): Promise<void>;
    revoke(id: number, at: number): Promise<void>;
    revokeForUser(userId: number, at: number): Promise<void>;
    /** Sessions not revoked, seen since `seenSince` and created since `createdSince`. */
    listLive(seenSince: number, createdSince: number): Promise<WebSession[]>;
    /** Batched last-seen updates. */
    seenMany(ids: number[], at: number): Promise<void>;
    /** Deletes sessions revoked, last seen before `seenBefore` or created before `createdBefore`. */
    prune(seenBefore: number, createdBefore: number): Promise<void>;
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

/** Raised by a store when a unique constraint refuses a write. */
export class DuplicateError extends Error {
  constructor(what: string) {
    super(`duplicate ${what}`);
    this.name = 'DuplicateError';
  }
}

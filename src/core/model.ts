// The domain's vocabulary: what the core keeps, what the store persists, and who
// a request acts as. The store implements its contract over these types.

/** Grafana's org roles: Viewer < Editor < Admin ("None" is not accepted anywhere gatehouse assigns roles). */
export const ROLES = ['Viewer', 'Editor', 'Admin'] as const;
export type Role = (typeof ROLES)[number];
const RANK: Record<Role, number> = { Viewer: 1, Editor: 2, Admin: 3 };
export const isRole = (x: unknown): x is Role => typeof x === 'string' && (ROLES as readonly string[]).includes(x);
/** Does `have` include everything `want` may do (Grafana's RoleType.Includes)? */
export const roleIncludes = (have: Role | null | undefined, want: Role): boolean => !!have && RANK[have] >= RANK[want];

/**
 * Moonraker-side scopes (issue 20), weakest first: `read` watches, `control`
 * also prints and moves the machine, `admin` may do everything. What each
 * request needs is src/auth/scopes.ts.
 */
export const SCOPES = ['read', 'control', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];
const SCOPE_RANK: Record<Scope, number> = { read: 1, control: 2, admin: 3 };
export const isScope = (x: unknown): x is Scope => typeof x === 'string' && (SCOPES as readonly string[]).includes(x);
/** Does `have` include everything `want` may do? */
export const scopeIncludes = (have: Scope, want: Scope): boolean => SCOPE_RANK[have] >= SCOPE_RANK[want];

export const DEFAULT_ORG_ID = 1;
export const DEFAULT_ORG_NAME = 'Main Org.';
/** Moonraker's reserved identities. */
export const API_USER = '_API_KEY_USER_';
export const TRUSTED_USER = '_TRUSTED_USER_';
export const RESERVED_USERS: readonly string[] = [API_USER, TRUSTED_USER];
/** The user source of service accounts. */
export const SERVICE_ACCOUNT_SOURCE = 'service_account';

export interface User {
  id: number;
  uid: string;
  /** Moonraker username == Grafana login. */
  username: string;
  email: string | null;
  name: string;
  /** null for LDAP users and service accounts. */
  passwordHash: string | null;
  /** 'moonraker' (local) | 'ldap' | 'service_account' */
  source: string;
  /** Grafana server admin. */
  isAdmin: boolean;
  isServiceAccount: boolean;
  isDisabled: boolean;
  /** What the account may do on the Moonraker side (default admin, Moonraker's behaviour). */
  scope: Scope;
  /** The current (active) org. */
  orgId: number;
  createdAt: number;
  updatedAt: number;
}

export type NewUser = Omit<User, 'id' | 'createdAt' | 'updatedAt' | 'scope'> & {
  createdAt?: number;
  /** Default admin. */
  scope?: Scope;
  /** Org memberships written in the same transaction as the account: no account is ever left without them. */
  memberships?: { orgId: number; role: Role }[];
};
export type UserPatch = Partial<Pick<User, 'email' | 'name' | 'passwordHash' | 'isAdmin' | 'isDisabled' | 'orgId' | 'username' | 'scope'>>;

/** A login "family": every access/refresh token issued from one login shares its id. */
export interface TokenFamily {
  id: string;
  userId: number;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  /** The refresh token currently valid for this family (rotation). */
  refreshJti: string | null;
}

export interface OneshotGrant {
  userId: number | null;
  identityKind: string;
  ip: string;
  expiresAt: number;
}

export interface Org { id: number; name: string; createdAt: number; updatedAt: number }
export interface Membership { orgId: number; userId: number; role: Role; createdAt: number }

export interface ApiKey {
  id: number;
  orgId: number;
  name: string;
  role: Role;
  hash: string;
  hashKind: 'sha256' | 'grafana-pbkdf2';
  serviceAccountId: number | null;
  expiresAt: number | null;
  lastUsedAt: number | null;
  createdAt: number;
  isRevoked: boolean;
}
export type NewApiKey = Omit<ApiKey, 'id' | 'lastUsedAt' | 'createdAt' | 'isRevoked'>;

/** A named Moonraker API key (issue 20): sent as X-Api-Key like the global one, acting with its scope. */
export interface MoonrakerKey {
  id: number;
  name: string;
  scope: Scope;
  /** SHA-256 (hex) of the key: the key itself is shown once and never stored. */
  hash: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
}
export type NewMoonrakerKey = Omit<MoonrakerKey, 'id' | 'createdAt' | 'lastUsedAt'>;

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

/** Where a login came from (a browser session of the Grafana face or a Moonraker login family): the row that gives both kinds one numeric id. */
export interface SessionClient {
  id: number;
  kind: 'grafana' | 'moonraker';
  /** The web session's id (as text) or the login family's id. */
  ref: string;
  userId: number;
  ip: string;
  userAgent: string;
  createdAt: number;
}

export type AuditEventName =
  | 'login_ok' | 'login_failed' | 'logout' | 'token_refresh' | 'refresh_reuse_detected'
  | 'user_created' | 'user_deleted' | 'user_updated' | 'user_disabled' | 'user_enabled' | 'sessions_revoked' | 'password_changed' | 'api_key_rotated'
  | 'key_created' | 'key_deleted' | 'key_used_after_expiry' | 'lockout' | 'scope_refused' | 'scope_changed'
  | 'org_created' | 'org_deleted' | 'service_account_created' | 'service_account_deleted';

export interface AuditEvent {
  id?: number;
  at: number;
  event: string;
  username: string | null;
  ip: string | null;
  detail: Record<string, unknown> | null;
}
export interface AuditFilter { event?: string; username?: string; since?: number; until?: number; limit?: number }

export type IdentityKind =
  | 'user' // a real account (JWT, session cookie, basic auth, LDAP)
  | 'api_key' // Moonraker's global API key (_API_KEY_USER_)
  | 'moonraker_key' // a named Moonraker API key (acts as _API_KEY_USER_ with the key's scope)
  | 'trusted' // a trusted client address (_TRUSTED_USER_)
  | 'grafana_api_key' // a legacy Grafana API key (acts with the key's role)
  | 'service_account'; // a Grafana service-account token

/** Who a request acts as, whatever credential proved it. One shape for every kind (see identity()). */
export interface Identity {
  kind: IdentityKind;
  username: string;
  source: string;
  /** Unix seconds (float), as Moonraker reports created_on. */
  createdOn: number;
  userId: number | null;
  /** Login family of the JWT that proved it, when there is one. */
  sessionId: string | undefined;
  /** Which credential proved it (for audit and logs; never the secret). */
  via: string;
  /** The org the request acts in; -1 ("Org missing") when a user is not a member of the org asked for. */
  orgId: number;
  orgRole: Role | null;
  isGrafanaAdmin: boolean;
  apiKeyId: number | undefined;
  webSession: WebSession | undefined;
  /** What it may do on the Moonraker side: a user's scope, a named key's; admin for the global key and trusted clients. */
  scope: Scope;
  /** The named Moonraker key that proved it (never the key itself). */
  keyName: string | undefined;
}

/** Builds every Identity, all fields in the same order: one object shape on the hot path. */
export function identity(o: Pick<Identity, 'kind' | 'username' | 'source' | 'createdOn' | 'via'> & Partial<Identity>): Identity {
  return {
    kind: o.kind, username: o.username, source: o.source, createdOn: o.createdOn, userId: o.userId ?? null,
    sessionId: o.sessionId, via: o.via, orgId: o.orgId ?? DEFAULT_ORG_ID, orgRole: o.orgRole ?? null,
    isGrafanaAdmin: o.isGrafanaAdmin ?? false, apiKeyId: o.apiKeyId, webSession: o.webSession,
    scope: o.scope ?? 'admin', keyName: o.keyName,
  };
}

/** A user's identity (org and role filled in by the Grafana side when it asks). */
export const userIdentity = (u: User, via: string, more: Partial<Identity> = {}): Identity =>
  identity({ kind: u.isServiceAccount ? 'service_account' : 'user', username: u.username, source: u.source, createdOn: u.createdAt / 1000, userId: u.id, via, orgId: u.orgId, scope: u.scope, ...more });

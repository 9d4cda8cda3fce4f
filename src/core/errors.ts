// Every failure the core (and the credential checks built on it) can report:
// one catalogue, one distinct code each. Messages follow Moonraker's wording
// (that face reports them verbatim); the Grafana face renders the ones it sees
// in Grafana's body shapes (src/faces/grafana/errors.ts). docs/errors.md lists them.

/** code → [HTTP status, message template; `{name}` is filled from the error's params]. */
export const CORE_ERRORS = {
  // arguments
  MISSING_ARGUMENT: [400, 'No data for argument: {key}'],
  INVALID_ARGUMENT: [400, 'Invalid argument [{key}]: {why}'],
  // credentials (Moonraker)
  UNAUTHORIZED: [401, 'Unauthorized'],
  FORCE_LOGINS: [401, 'Unauthorized, Force Logins Enabled'],
  CROSS_SITE: [403, 'Cross-site request refused'],
  JWT_INVALID: [401, 'JWT Decode Error'],
  API_KEY_DISABLED: [401, 'API Key authentication is disabled'],
  API_KEY_INVALID: [401, 'Invalid API Key'],
  ONESHOT_INVALID: [401, 'Unauthorized'],
  // scopes and named API keys (issue 20; Moonraker has neither)
  SCOPE_FORBIDDEN: [403, "Forbidden: scope '{scope}' may not do this, it needs '{needed}'"],
  INVALID_SCOPE: [400, "Invalid scope '{scope}': must be one of read, control, admin"],
  API_KEY_EXPIRED: [401, 'Expired API Key'],
  NAMED_KEY_EXISTS: [400, 'API key {name} already exists'],
  NO_SUCH_NAMED_KEY: [404, 'No API key named {name}'],
  // accounts and logins (Moonraker)
  INVALID_SOURCE: [400, "Invalid 'source': {source}"],
  RESERVED_USER: [400, 'Invalid Request for user {username}'],
  RESERVED_DELETE: [400, 'Invalid Request for reserved user {username}'],
  RESERVED_RESET: [400, 'Invalid Reset Request for user {username}'],
  UNKNOWN_USER: [400, 'Unregistered User: {username}'],
  INVALID_PASSWORD: [400, 'Invalid Password'],
  USER_EXISTS: [400, 'User {username} already exists'],
  WRONG_SOURCE: [401, "Moonraker cannot authenticate user '{username}', must specify source '{source}'"],
  LDAP_UNAVAILABLE: [401, 'LDAP authentication not available'],
  LDAP_CREATE: [400, 'Invalid Request to create new LDAP User'],
  LDAP_ERROR: [503, 'LDAP error: {why}'],
  LDAP_DENIED: [401, 'Unauthorized'],
  DELETE_SELF: [400, 'Cannot delete logged in user {username}'],
  NO_SUCH_USER: [400, 'No registered user: {username}'],
  NO_USER_LOGGED_IN: [400, 'No user logged in'],
  INVALID_LOGOUT: [400, 'Invalid log out request for user {username}'],
  NO_CURRENT_USER: [400, 'No Current User'],
  LDAP_PASSWORD_RESET: [400, 'Can´t Reset password for ldap user {username}'],
  REFRESH_INVALID: [401, 'Invalid Refresh Token'],
  REFRESH_REUSED: [401, 'Invalid Refresh Token'],
  // limits
  LOGINS_MAXED: [401, 'Unauthorized, Maximum Login Attempts Reached'],
  LOGIN_LOCKED_USER: [429, 'Too many failed login attempts for this account; try again in up to {seconds} seconds'],
  LOGIN_LOCKED_IP: [429, 'Too many failed login attempts from this address; try again in up to {seconds} seconds'],
  LOGIN_BUSY: [503, 'Too many login attempts in progress; try again'],
  ONESHOT_RATE: [429, 'Too many oneshot token requests, try again later'],
  // credentials (Grafana)
  GRAFANA_UNAUTHORIZED: [401, 'Unauthorized'],
  GRAFANA_SESSION_INVALID: [401, 'Unauthorized'],
  GRAFANA_API_KEY_INVALID: [401, 'Invalid API key'],
  GRAFANA_API_KEY_EXPIRED: [401, 'Expired API key'],
  GRAFANA_API_KEY_REVOKED: [401, 'Revoked API key'],
  GRAFANA_API_KEY_ORG_MISMATCH: [401, 'API key does not belong to the requested organization'],
  GRAFANA_PASSWORD_AUTH_FAILED: [401, 'Invalid username or password'],
  GRAFANA_LOGIN_BLOCKED_IP: [401, 'Login temporarily blocked'],
  GRAFANA_IDENTITY_DISABLED: [401, 'Unauthorized'],
  GRAFANA_LOGIN_DISABLED: [401, 'Login is disabled'],
  // orgs and members (Grafana's wording)
  INVALID_ROLE: [400, 'Invalid role specified'],
  ROLE_TOO_HIGH: [403, "Cannot assign a role higher than user's role"],
  ORG_NOT_FOUND: [404, 'Organization not found'],
  ORG_NAME_TAKEN: [409, 'Organization name taken'],
  ORG_RENAME_TAKEN: [400, 'Organization name taken'],
  ORG_DELETE_NOT_FOUND: [404, 'Failed to delete organization. ID not found'],
  NOT_A_VALID_ORG: [401, 'Not a valid organization'],
  ALREADY_MEMBER: [409, 'User is already member of this organization'],
  MEMBER_UPDATE_FAILED: [404, 'Failed update org user'],
  MEMBER_REMOVE_FAILED: [404, 'Failed to remove user from organization'],
  LAST_ADMIN_ROLE: [400, 'Cannot change role so that there is no organization admin left'],
  LAST_ADMIN_REMOVE: [400, 'Cannot remove last organization admin'],
  // account administration (Grafana's wording)
  ACCOUNT_NOT_FOUND: [404, 'user not found'],
  ACCOUNT_EXTERNAL_UPDATE: [403, 'User info cannot be updated for external Users'],
  ACCOUNT_LOGIN_CONFLICT: [409, 'Update would result in user login conflict'],
  ACCOUNT_EMPTY_LOGIN: [400, 'Need to specify either username or email'],
  ACCOUNT_CREATE_CONFLICT: [412, "User with email '{email}' or username '{login}' already exists"],
  ACCOUNT_CREATE_ORG_NOT_FOUND: [400, 'organization not found'],
  UNKNOWN_SORT: [400, 'Bad request'],
  SESSION_NOT_FOUND: [404, 'User auth token not found'],
  // one authority for both faces (docs/security.md)
  ADMIN_RIGHTS_REQUIRED: [403, "Deleting or changing a Grafana server admin or an organization's last Admin needs Grafana server admin rights"],
  LAST_SERVER_ADMIN: [400, 'cannot remove last grafana admin'],
  // API keys, service accounts and tokens (Grafana's wording)
  TTL_REQUIRED: [400, 'Number of seconds before expiration should be set'],
  TTL_ABOVE_LIMIT: [400, 'Number of seconds before expiration is greater than the global limit'],
  TTL_NEGATIVE: [400, 'negative value for SecondsToLive'],
  TTL_TOO_LARGE: [400, 'secondsToLive is too large'],
  KEY_DUPLICATE: [409, 'API key, organization ID and name must be unique'],
  KEY_HASH_INVALID: [400, 'a Grafana key hash is 100 hex characters'],
  SA_TOKEN_EXPIRY_LIMIT: [400, 'The expiration date input exceeds the limit for service account access tokens expiration date'],
  SA_NOT_FOUND: [404, 'service account not found'],
  SA_EXISTS: [409, 'service account already exists'],
  SA_NAME_REQUIRED: [400, 'required value name must not be empty'],
  SA_TOKEN_DUPLICATE: [409, 'service account token with given name already exists in the organization'],
  ADMIN_PASSWORD_TOO_LONG: [400, 'admin_password must be at most {max} bytes'],
  // several instances on one store (issue 21)
  OUT_OF_SYNC: [503, 'Service Unavailable: catching up with changes made on other instances'],
} as const satisfies Record<string, readonly [number, string]>;

export type CoreCode = keyof typeof CORE_ERRORS;

/** Fills `{name}` placeholders from `params` (a placeholder with no param stays as written). */
export const fillTemplate = (template: string, params: Record<string, unknown>) =>
  template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k] ?? '') : m));

/** An error of a catalogue (this one or a face's): its code, its HTTP status, its message filled from params. */
export abstract class CatalogueError<C extends string> extends Error {
  readonly status: number;
  constructor(readonly code: C, readonly params: Record<string, unknown>, [status, template]: readonly [number, string, ...unknown[]]) {
    super(fillTemplate(template, params));
    this.name = new.target.name;
    this.status = status;
  }
}

export class CoreError extends CatalogueError<CoreCode> {
  constructor(code: CoreCode, params: Record<string, unknown> = {}) {
    super(code, params, CORE_ERRORS[code]);
  }
}

/** The store cannot be reached: a 503 on every face (re-exported so that the faces need not import the store). */
export { StoreUnavailableError } from '../store/types.js';

/** The error for `code` (throw it). */
export const fail = (code: CoreCode, params?: Record<string, unknown>) => new CoreError(code, params);

export const isCoreError = (x: unknown): x is CoreError => x instanceof CoreError;

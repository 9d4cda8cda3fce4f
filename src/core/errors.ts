// Every failure the core can report, in one place. Each has a stable code that
// faces translate; the default message and status follow Moonraker's wording,
// since that face reports them verbatim.

export class GatehouseError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'GatehouseError';
  }
}

const e = (code: string, message: string, status = 400, detail?: Record<string, unknown>) =>
  new GatehouseError(code, message, status, detail);

export const Errors = {
  missingArgument: (key: string) => e('MISSING_ARGUMENT', `No data for argument: ${key}`, 400, { key }),
  invalidArgument: (key: string, why: string) => e('INVALID_ARGUMENT', `Invalid argument [${key}]: ${why}`, 400, { key }),
  invalidJson: () => e('INVALID_JSON', 'Malformed JSON in request body', 400),
  invalidUtf8: () => e('INVALID_JSON', 'Request body is not valid UTF-8', 400),
  bodyNotObject: () => e('BODY_NOT_OBJECT', 'Request body must be a JSON object', 400),
  bodyTooLarge: (limit?: number) => e('BODY_TOO_LARGE', limit ? `Request body exceeds ${limit} bytes` : 'Request body too large', 413),

  unauthorized: () => e('UNAUTHORIZED', 'Unauthorized', 401),
  forceLogins: () => e('FORCE_LOGINS', 'Unauthorized, Force Logins Enabled', 401),
  jwtDecode: () => e('JWT_INVALID', 'JWT Decode Error', 401),
  apiKeyDisabled: () => e('API_KEY_DISABLED', 'API Key authentication is disabled', 401),
  invalidApiKey: () => e('API_KEY_INVALID', 'Invalid API Key', 401),

  invalidSource: (source: string) => e('INVALID_SOURCE', `Invalid 'source': ${source}`, 400),
  reservedUser: (username: string) => e('RESERVED_USER', `Invalid Request for user ${username}`, 400, { username }),
  unregisteredUser: (username: string) => e('UNKNOWN_USER', `Unregistered User: ${username}`, 400, { username }),
  invalidPassword: () => e('INVALID_PASSWORD', 'Invalid Password', 400),
  userExists: (username: string) => e('USER_EXISTS', `User ${username} already exists`, 400, { username }),
  wrongSource: (username: string, source: string) =>
    e('WRONG_SOURCE', `Moonraker cannot authenticate user '${username}', must specify source '${source}'`, 401, { username }),
  ldapUnavailable: () => e('LDAP_UNAVAILABLE', 'LDAP authentication not available', 401),
  ldapCreate: () => e('LDAP_CREATE', 'Invalid Request to create new LDAP User', 400),
  ldapError: (why: string) => e('LDAP_ERROR', `LDAP error: ${why}`, 503),
  ldapDenied: (why: string) => e('LDAP_DENIED', why, 401),
  cannotDeleteSelf: (username: string) => e('DELETE_SELF', `Cannot delete logged in user ${username}`, 400, { username }),
  reservedDelete: (username: string) => e('RESERVED_USER', `Invalid Request for reserved user ${username}`, 400, { username }),
  noSuchUser: (username: string) => e('NO_SUCH_USER', `No registered user: ${username}`, 400, { username }),
  noUserLoggedIn: () => e('NO_USER', 'No user logged in', 400),
  invalidLogout: (username: string) => e('INVALID_LOGOUT', `Invalid log out request for user ${username}`, 400, { username }),
  noCurrentUser: () => e('NO_USER', 'No Current User', 400),
  ldapPasswordReset: (username: string) => e('LDAP_PASSWORD', `Can´t Reset password for ldap user ${username}`, 400, { username }),
  invalidResetUser: (username: string) => e('RESERVED_USER', `Invalid Reset Request for user ${username}`, 400, { username }),
  invalidRefreshToken: () => e('REFRESH_INVALID', 'Invalid Refresh Token', 401),
  refreshReuse: () => e('REFRESH_REUSED', 'Invalid Refresh Token', 401),
  loginsMaxed: () => e('LOGIN_LOCKED', 'Unauthorized, Maximum Login Attempts Reached', 401),
  userLocked: () => e('LOGIN_LOCKED', 'Too many failed login attempts, try again later', 429),
  oneshotRate: () => e('RATE_LIMITED', 'Too many oneshot token requests, try again later', 429),
  loginLockedUser: (seconds: number) =>
    e('LOGIN_LOCKED', `Too many failed login attempts for this account; try again in up to ${seconds} seconds`, 429, { scope: 'user', seconds }),
  loginLockedIp: (seconds: number) =>
    e('LOGIN_LOCKED', `Too many failed login attempts from this address; try again in up to ${seconds} seconds`, 429, { scope: 'ip', seconds }),

  notFound: () => e('NOT_FOUND', 'Not Found', 404),
  methodNotAllowed: () => e('METHOD_NOT_ALLOWED', 'Method Not Allowed', 405),
} as const;

export const isGatehouseError = (x: unknown): x is GatehouseError => x instanceof GatehouseError;

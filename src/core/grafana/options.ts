// The Grafana face's options, named after grafana.ini's ([auth], [auth.basic],
// [security], [users], [service_accounts]) in camelCase. The config loader maps
// the INI file onto this; durations are in seconds.

export interface GrafanaOptions {
  // [auth]
  /** Name of the session cookie (`login_cookie_name`). */
  loginCookieName: string;
  /** A session unused for this long ends (`login_maximum_inactive_lifetime_duration`, 7d). */
  loginMaximumInactiveLifetimeSeconds: number;
  /** A session ends this long after login whatever its use; also the cookie's Max-Age (`login_maximum_lifetime_duration`, 30d). */
  loginMaximumLifetimeSeconds: number;
  /** The session token is replaced this often (`token_rotation_interval_minutes`, 10). */
  tokenRotationIntervalMinutes: number;
  /** POST /login answers 401 "Login is disabled" (Grafana ≤ 9 behaviour of `disable_login_form`). */
  disableLoginForm: boolean;
  /** -1: keys may live forever; otherwise secondsToLive is required and capped (`api_key_max_seconds_to_live`). */
  apiKeyMaxSecondsToLive: number;
  /** Where GET /logout sends the browser ('' → /login) (`signout_redirect_url`). */
  signoutRedirectUrl: string;
  /** "enabled": Grafana 10.4; "gone": Grafana 11.3+, POST /api/auth/keys answers 410 (`legacy_api_key_create`). */
  legacyApiKeyCreate: 'enabled' | 'gone';
  // [auth.basic]
  /** Basic user:password on the API (`[auth.basic] enabled`); Basic api_key:<key> works regardless. */
  basicAuthEnabled: boolean;
  // [security]
  adminUser: string;
  /** Unset: the first start generates one and shows it once. */
  adminPassword?: string;
  adminEmail: string;
  disableBruteForceLoginProtection: boolean;
  bruteForceLoginProtectionMaxAttempts: number;
  /** Per-address limit as well (`disable_ip_address_login_protection`, true in Grafana). */
  disableIpAddressLoginProtection: boolean;
  cookieSecure: boolean;
  cookieSameSite: 'lax' | 'strict' | 'none' | 'disabled';
  // [users]
  allowOrgCreate: boolean;
  // [service_accounts]
  /** Days; unset: service-account tokens may be created without expiry. */
  tokenExpirationDayLimit?: number;
  // [quota]
  /** Quotas are enforced (`[quota] enabled`). */
  quotaEnabled: boolean;
  /** API keys per org when quotas are on; -1: unlimited (`[quota] org_api_key`). */
  quotaOrgApiKey: number;
}

export const DEFAULT_GRAFANA_OPTIONS: GrafanaOptions = {
  loginCookieName: 'grafana_session',
  loginMaximumInactiveLifetimeSeconds: 7 * 86400,
  loginMaximumLifetimeSeconds: 30 * 86400,
  tokenRotationIntervalMinutes: 10,
  disableLoginForm: false,
  apiKeyMaxSecondsToLive: -1,
  signoutRedirectUrl: '',
  legacyApiKeyCreate: 'enabled',
  basicAuthEnabled: true,
  adminUser: 'admin',
  adminEmail: 'admin@localhost',
  disableBruteForceLoginProtection: false,
  bruteForceLoginProtectionMaxAttempts: 5,
  disableIpAddressLoginProtection: true,
  cookieSecure: false,
  cookieSameSite: 'lax',
  allowOrgCreate: false,
  quotaEnabled: false,
  quotaOrgApiKey: 10,
};

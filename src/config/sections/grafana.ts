// Grafana's sections, with Grafana's option names (durations become seconds).
import { bool, choice, duration, int, MAX_DURATION_S, positiveNumber, text } from '../values.js';
import { option, section } from '../option.js';

export const auth = section("Grafana's [auth]", {
  login_cookie_name: option(text, 'Name of the session cookie.', 'grafana_session'),
  login_maximum_inactive_lifetime_duration: option(duration, 'A session unused this long ends.', '7d'),
  login_maximum_lifetime_duration: option(duration, "A session ends this long after login whatever its use; also the cookie's Max-Age.", '30d'),
  token_rotation_interval_minutes: option(positiveNumber(MAX_DURATION_S / 60), 'The session token is replaced this often.', '10'),
  disable_login_form: option(bool, 'POST /login answers 401 "Login is disabled" (Grafana ≤ 9).', 'false'),
  disable_login: option(bool, 'Same as disable_login_form (Grafana 10.4+).', 'false'),
  api_key_max_seconds_to_live: option(int({ min: -1, max: MAX_DURATION_S }), '-1: keys may live forever; else secondsToLive is required and capped (keys and tokens).', '-1'),
  signout_redirect_url: option(text, "Where GET /logout sends the browser ('' → /login).", ''),
  legacy_api_key_create: option(choice(['enabled', 'gone']), 'enabled: Grafana 10.4; gone: Grafana 11.3+, POST /api/auth/keys answers 410.', 'enabled'),
});

export const authBasic = section("Grafana's [auth.basic]", {
  enabled: option(bool, 'Basic user:password on the API (Basic api_key:<key> works regardless).', 'true'),
});

export const security = section("Grafana's [security]; there is deliberately no default admin_password", {
  admin_user: option(text, 'The bootstrap admin created on first start.', 'admin'),
  admin_password: option(text, 'Its password (unset: one is generated and printed once, never logged).'),
  admin_email: option(text, "The bootstrap admin's email.", 'admin@localhost'),
  secret_key: option(text, 'Set: the signing and encryption keys live in the store, sealed with this secret (instances sharing a database need only it: `openssl rand -base64 32`); a wrong one stops start-up. Unset: key files in data_dir.'),
  disable_brute_force_login_protection: option(bool, "Turns Grafana's brute-force rule off.", 'false'),
  brute_force_login_protection_max_attempts: option(int({ min: 1 }), 'Failed logins per login name in 5 minutes before it is blocked.', '5'),
  disable_ip_address_login_protection: option(bool, 'false: the same rule per client address too.', 'true'),
  cookie_secure: option(bool, 'Session cookies carry Secure.', 'false'),
  cookie_samesite: option(choice(['lax', 'strict', 'none', 'disabled']), 'SameSite of the session cookies.', 'lax'),
});

export const users = section("Grafana's [users]", {
  allow_org_create: option(bool, 'Any signed-in user may create orgs.', 'false'),
});

export const serviceAccounts = section("Grafana's [service_accounts]", {
  token_expiration_day_limit: option(int({ min: 1, max: MAX_DURATION_S / 86400 }), 'Service-account tokens must expire within this many days (unset: no limit).'),
});

export const quota = section("Grafana's [quota]", {
  enabled: option(bool, 'Quotas are enforced.', 'false'),
  org_api_key: option(int({ min: -1 }), 'API keys per org when quotas are on; -1: unlimited.', '10'),
});

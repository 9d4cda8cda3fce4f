// Moonraker's option names and rules, plus gatehouse extras.
import { bool, choice, corsDomain, int, list, MAX_DURATION_S, trustedClient } from '../values.js';
import { option, section } from '../option.js';

export const authorization = section("Moonraker's authorization options", {
  enable_api_key: option(bool, 'Accept the global API key (X-Api-Key, identify api_key).', 'true'),
  login_timeout: option(int({ min: 1, max: MAX_DURATION_S / 86400 }), 'Days a refresh token lives.', '90'),
  max_login_attempts: option(int({ min: 1 }), "Moonraker's per-address limit: after this many failed logins, 401 until restart or a success (unset: none)."),
  trusted_clients: option(list({ commas: true, entry: trustedClient }), 'IP addresses, CIDR ranges and domain names that need no credential.', ''),
  allowed_hosts: option(list({ commas: true }), 'Host names (with or without :port) under which a trusted address needs no credential; IP literals always; `*`: any. Unset: localhost, the listen addresses and the machine\'s names.', ''),
  cors_domains: option(list({ commas: true, entry: corsDomain }), 'Allowed origins; `*` is a wildcard, never in the top-level domain.', ''),
  force_logins: option(bool, 'Once a user exists, trusted clients must log in too.', 'false'),
  default_source: option(choice(['moonraker', 'ldap']), 'The user source of a login that names none.', 'moonraker'),
  refresh_token_rotation: option(bool, 'Each refresh returns a new refresh token and a spent one revokes its login (see README).', 'false'),
  oneshot_rate_per_minute: option(int({ min: 1 }), 'Oneshot tokens issued per client address per minute; more is 429.', '60'),
});

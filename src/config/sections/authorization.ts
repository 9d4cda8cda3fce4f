// [authorization]: Moonraker's option names and rules, plus gatehouse extras.
import { z } from 'zod';
import { bool, choice, corsDomain, int, list, trustedClient } from '../values.js';

export const authorization = z.object({
  enable_api_key: bool.default(true),
  /** Days a refresh token lives. */
  login_timeout: int({ min: 1 }).default(90),
  /** Unset: no limit. */
  max_login_attempts: int({ min: 1 }).optional(),
  trusted_clients: list({ commas: true, entry: trustedClient }).default(() => []),
  /** Origins; `*` is a wildcard. */
  cors_domains: list({ commas: true, entry: corsDomain }).default(() => []),
  force_logins: bool.default(false),
  default_source: choice(['moonraker', 'ldap']).default('moonraker'),
  // gatehouse extras
  refresh_token_rotation: bool.default(false),
  oneshot_rate_per_minute: int({ min: 1 }).default(60),
});

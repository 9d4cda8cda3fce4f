// Grafana's [auth], with Grafana's option names; durations become seconds.
import { z } from 'zod';
import { bool, choice, duration, int } from '../values.js';

export const auth = z.object({
  login_cookie_name: z.string().default('grafana_session'),
  // prefault: the default goes through the same duration parsing as a set value
  login_maximum_inactive_lifetime_duration: duration.prefault('7d'),
  login_maximum_lifetime_duration: duration.prefault('30d'),
  token_rotation_interval_minutes: int({ min: 1 }).default(10),
  disable_login_form: bool.default(false),
  disable_login: bool.default(false),
  /** -1: API keys may live forever. */
  api_key_max_seconds_to_live: int({ min: -1 }).default(-1),
  signout_redirect_url: z.string().default(''),
  /** gatehouse extra: "gone" refuses to create legacy API keys (service accounts only). */
  legacy_api_key_create: choice(['enabled', 'gone']).default('enabled'),
});

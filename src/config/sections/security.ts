// Grafana's [security]. There is deliberately no default admin_password:
// when unset, the first start generates one.
import { z } from 'zod';
import { bool, choice, int } from '../values.js';

export const security = z.object({
  admin_user: z.string().default('admin'),
  admin_password: z.string().optional(),
  admin_email: z.string().default('admin@localhost'),
  secret_key: z.string().optional(),
  disable_brute_force_login_protection: bool.default(false),
  brute_force_login_protection_max_attempts: int({ min: 1 }).default(5),
  disable_ip_address_login_protection: bool.default(true),
  cookie_secure: bool.default(false),
  cookie_samesite: choice(['lax', 'strict', 'none', 'disabled']).default('lax'),
});

// Grafana's [service_accounts].
import { z } from 'zod';
import { int } from '../values.js';

export const serviceAccounts = z.object({
  /** Unset: tokens may be created without expiry. */
  token_expiration_day_limit: int({ min: 1 }).optional(),
});

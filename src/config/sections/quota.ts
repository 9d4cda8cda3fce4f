// Grafana's [quota].
import { z } from 'zod';
import { bool, int } from '../values.js';

export const quota = z.object({
  enabled: bool.default(false),
  /** API keys per org; -1: unlimited. */
  org_api_key: int({ min: -1 }).default(10),
});

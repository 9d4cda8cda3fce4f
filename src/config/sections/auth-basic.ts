// Grafana's [auth.basic]: HTTP Basic authentication on the API.
import { z } from 'zod';
import { bool } from '../values.js';

export const authBasic = z.object({
  enabled: bool.default(true),
});

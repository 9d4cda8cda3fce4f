// Grafana's [users].
import { z } from 'zod';
import { bool } from '../values.js';

export const users = z.object({
  allow_org_create: bool.default(false),
});

// [gatehouse]: where and how gatehouse itself runs.
import { z } from 'zod';
import { bool, choice, int, port } from '../values.js';

export const gatehouse = z.object({
  host: z.string().default('127.0.0.1'),
  port: port.default(7125),
  data_dir: z.string().default('./data'),
  store: choice(['sqlite', 'postgres']).default('sqlite'),
  postgres_url: z.string().optional(),
  max_body_bytes: int({ min: 1 }).default(65536),
  log_level: choice(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  moonraker_enabled: bool.default(true),
  grafana_enabled: bool.default(true),
  /** With grafana_port, the Grafana face gets its own listener. */
  grafana_host: z.string().optional(),
  grafana_port: port.optional(),
  /** JWT `iss`; instances behind one load balancer must agree on it. Default http://HOST:PORT. */
  issuer: z.string().optional(),
}).superRefine((g, ctx) => {
  if (g.store === 'postgres' && !g.postgres_url) ctx.addIssue({ code: 'custom', path: ['store'], message: '"postgres" needs postgres_url' });
});

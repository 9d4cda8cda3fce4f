import { choice, int, bool, ipOrNetwork, list, port, text } from '../values.js';
import { option, section } from '../option.js';

export const gatehouse = section('where and how gatehouse itself runs', {
  host: option(text, 'Listen address.', '127.0.0.1'),
  port: option(port, 'Listen port (0: any free port).', '7125'),
  data_dir: option(text, 'Holds gatehouse.sqlite, master.key and jwt-ed25519.pem (created on first start, owner-only).', './data'),
  store: option(choice(['sqlite', 'postgres']), 'The store engine: embedded SQLite in data_dir, or PostgreSQL at postgres_url.', 'sqlite'),
  postgres_url: option(text, 'postgres://user@host/db, with store = postgres (several instances may share it).'),
  max_body_bytes: option(int({ min: 1 }), 'Largest request body; more is refused with 413.', '65536'),
  log_level: option(choice(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'Above debug only failed requests are logged; at debug, every request.', 'info'),
  moonraker_enabled: option(bool, "Serve Moonraker's face (/access, /websocket).", 'true'),
  grafana_enabled: option(bool, "Serve Grafana's face (/api, /login, /logout, the API Keys page).", 'true'),
  grafana_host: option(text, 'With grafana_port: the address of the Grafana face\'s own listener (default: host).'),
  grafana_port: option(port, 'Gives the Grafana face a listener of its own on this port.'),
  trusted_proxies: option(list({ commas: true, entry: ipOrNetwork }), 'Reverse proxies (IPs, CIDR ranges) whose X-Forwarded-For, X-Real-IP or Forwarded header names the client; from any other peer these headers are ignored.', ''),
  issuer: option(text, 'JWT `iss`; instances behind one load balancer must agree on it (default http://HOST:PORT).'),
  metrics_port: option(port, 'Serves GET /metrics (Prometheus text format) on a listener of its own on this port (unset: no metrics).'),
  metrics_host: option(text, 'The address of the metrics listener.', '127.0.0.1'),
  metrics_token: option(text, 'Set: GET /metrics needs `Authorization: Bearer <this token>`.'),
}).superRefine((g, ctx) => {
  if (g.store === 'postgres' && !g.postgres_url) ctx.addIssue({ code: 'custom', path: ['store'], message: '"postgres" needs postgres_url' });
});

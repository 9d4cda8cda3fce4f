// GET /metrics in Prometheus' text format (prom-client), on a listener of its own
// ([gatehouse] metrics_port; off by default), optionally behind a bearer token.
// prom-client is loaded only when metrics are on.
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.js';
import type { Core } from '../core/core.js';
import { missStats } from '../core/cache.js';
import { hashPool } from '../core/security/hash-pool.js';
import { safeEqual } from '../core/security/crypto.js';
import type { Store } from '../store/types.js';

type PromClient = typeof import('prom-client');

/** The face a request path belongs to (a label). */
export function faceOf(url: string): string {
  if (url.startsWith('/access') || url.startsWith('/websocket') || url.startsWith('/server')) return 'moonraker';
  if (url.startsWith('/api') || url.startsWith('/login') || url.startsWith('/logout') || url.startsWith('/public')) return 'grafana';
  if (url.startsWith('/auth/verify')) return 'forward_auth';
  return 'other';
}

export interface Metrics {
  /** Counts the requests of an app (call before its routes are registered). */
  instrument(app: FastifyInstance): void;
  /** Observers for the core's change feed (createCore's feedEvents). */
  feedEvents: { onLag: (ms: number) => void; onState: (up: boolean) => void };
  /** Ties the store and core in, and starts the listener. */
  start(core: Core, store: Store): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
}

export async function createMetrics(config: Config): Promise<Metrics | undefined> {
  const g = config.gatehouse;
  if (g.metrics_port === undefined) return undefined;
  const prom: PromClient = await import('prom-client');
  const register = new prom.Registry();
  prom.collectDefaultMetrics({ register, prefix: 'gatehouse_' });
  const m = (name: string, help: string, labelNames: string[] = []) => ({ name: `gatehouse_${name}`, help, labelNames, registers: [register] });
  const requests = new prom.Counter(m('http_requests_total', 'HTTP requests answered, by face and status.', ['face', 'status']));
  const logins = new prom.Counter(m('logins_total', 'Password logins, by outcome (login_ok, login_failed).', ['outcome']));
  const storeSeconds = new prom.Histogram({ ...m('store_call_duration_seconds', 'Store calls, by repository method and outcome.', ['method', 'ok']), buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5] });
  const lag = new prom.Histogram({ ...m('invalidation_lag_seconds', "Delay from another instance's change to its arrival here."), buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });
  const channelUp = new prom.Gauge(m('change_channel_up', '1 while the change channel to the other instances is listening.'));
  let core: Core | undefined;
  new prom.Gauge({ ...m('coherent', '1 while the caches can be trusted (0: answering 503 until caught up).'), collect() { this.set(core?.coherent() ? 1 : 0); } });
  new prom.Gauge({ ...m('hash_pool_queue_depth', 'Password hashing jobs waiting for a thread.'), collect() { this.set(hashPool.queueSize); } });
  new prom.Gauge({ ...m('credential_store_lookups', 'Lookups of credentials unknown in memory: queries, found, negative_hits (answered by the negative cache), shed (refused past the concurrency bound).', ['kind']), collect() { for (const [k, v] of Object.entries({ queries: missStats.queries, found: missStats.found, negative_hits: missStats.negativeHits, shed: missStats.shed })) this.set({ kind: k }, v); } });

  let server: Server | undefined;
  return {
    instrument(app) {
      app.addHook('onResponse', (req, reply, done) => {
        requests.inc({ face: faceOf(req.url), status: String(reply.statusCode) });
        done();
      });
    },
    feedEvents: { onLag: (ms) => lag.observe(Math.max(0, ms) / 1000), onState: (up) => channelUp.set(up ? 1 : 0) },
    async start(c, store) {
      core = c;
      if (store.channel) channelUp.set(c.coherent() ? 1 : 0);
      c.audit.observe = (event) => { if (event === 'login_ok' || event === 'login_failed') logins.inc({ outcome: event }); };
      store.observe = (method, ms, ok) => storeSeconds.observe({ method, ok: ok ? 'true' : 'false' }, ms / 1000);
      server = createServer((req, res) => void answer(req, res));
      const answer = async (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
        if ((req.url ?? '').split('?')[0] !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found\n');
        const auth = req.headers.authorization ?? '';
        if (g.metrics_token && !safeEqual(auth, `Bearer ${g.metrics_token}`)) return void res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('Unauthorized\n');
        res.writeHead(200, { 'content-type': register.contentType }).end(await register.metrics());
      };
      await new Promise<void>((ok, fail) => { server!.once('error', fail).listen(g.metrics_port, g.metrics_host, () => ok()); });
      const addr = server.address();
      return typeof addr === 'object' && addr ? { host: addr.address, port: addr.port } : { host: g.metrics_host, port: g.metrics_port! };
    },
    async close() {
      await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    },
  };
}

// The composition root: configuration → store + keys + core + faces, listening.
// Used by the CLI (`gatehouse serve`) and by applications embedding gatehouse
// as a library: createGatehouse() takes the config file's shape (sections and
// option names, typed values or strings) and parses it through the same
// schema, so every default comes from one place.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { configSchema, type Config, type ConfigInput } from '../config/schema.js';
import { createCore, type Core } from '../core/core.js';
import { KeyringError, loadKeyring, loadStoredKeyring, type Keyring } from '../core/security/keyring.js';
import { ConfigError } from '../config/errors.js';
import type { UserSource } from '../core/sources/types.js';
import { grafanaHttp } from '../faces/grafana/http.js';
import { moonrakerHttp } from '../faces/moonraker/http.js';
import { moonrakerWebsocket } from '../faces/moonraker/websocket/index.js';
import { HttpError } from '../faces/shared/http-errors.js';
import { connectStore, type Store } from '../store/index.js';
import { createHttpServer, createLogger, writeRawError } from './http-server.js';
import { canonicalUrls, GatewayPaths, loginUrlOf, registerGateway, websocketGateway } from '../faces/gateway/index.js';
import { forwardAuth } from '../faces/forward-auth/verify.js';
import { EXPIRY_COOKIE } from '../faces/grafana/cookies.js';
import { webUi } from '../web/ui-api.js';
import { markForwarded } from './fast-path.js';
import { createMetrics } from './metrics.js';
import type { CoreOptions } from '../core/core.js';

/** The library's options: the configuration (as in the config file) plus what only a running process can give. */
export type GatehouseOptions = ConfigInput & {
  /** A destination stream for the log (tests capture logs through it). */
  logStream?: NodeJS.WritableStream;
  /** Off the fast path (server/fast-path.ts): plain Node and Fastify, for A/B measurements. */
  plainHttp?: boolean;
};

export interface Gatehouse {
  config: Config;
  core: Core;
  store: Store;
  app: FastifyInstance;
  /** The Grafana face's own listener's instance, when it has one (grafana_port). */
  grafanaApp: FastifyInstance | undefined;
  /** Resolves with the bound address once listening. */
  listen(): Promise<{ host: string; port: number }>;
  /** The Grafana face's own address, when it has one (grafana_port). */
  grafanaAddress(): { host: string; port: number } | undefined;
  /** The metrics listener's address, once listening (metrics_port). */
  metricsAddress(): { host: string; port: number } | undefined;
  close(): Promise<void>;
}

/** Parses the options: every option the caller leaves out takes the config schema's default. */
export function configOf(o: GatehouseOptions): Config {
  const { logStream: _s, plainHttp: _p, ...input } = o;
  return configSchema.parse(input);
}

/** The store, keys and core without any HTTP, started: what the CLI's admin commands use. */
export async function openCore(config: Config, log: FastifyBaseLogger = createLogger('silent'), o: { bootstrap?: boolean; sources?: UserSource[]; follow?: boolean; feedEvents?: CoreOptions['feedEvents'] } = {}): Promise<{ core: Core; store: Store }> {
  const store = await connectStore({ engine: config.gatehouse.store, dataDir: config.gatehouse.data_dir, postgresUrl: config.gatehouse.postgres_url });
  let core: Core | undefined;
  try {
    await store.migrate();
    core = createCore({ store, keyring: await openKeyring(config, store, log), config, log, feedEvents: o.feedEvents });
    for (const source of o.sources ?? []) core.addSource(source);
    await core.start({ bootstrap: o.bootstrap, follow: o.follow });
    return { core, store };
  } catch (err) {
    await core?.stop();
    await store.close();
    throw err;
  }
}

/** With `[security] secret_key`, the keys sealed in the store (shared by every instance on it); else the data directory's files. */
async function openKeyring(config: Config, store: Store, log: FastifyBaseLogger): Promise<Keyring> {
  const secret = config.security.secret_key;
  try {
    if (!secret) {
      if (config.gatehouse.store === 'postgres') log.warn('store postgres without [security] secret_key: the keys stay in data_dir, and every instance on this database needs a copy of its master.key and jwt-ed25519.pem');
      return loadKeyring(config.gatehouse.data_dir);
    }
    const { keyring, moved } = await loadStoredKeyring(store.settings, secret, config.gatehouse.data_dir);
    if (moved) log.info(`keys: master.key and jwt-ed25519.pem of ${config.gatehouse.data_dir} moved into the store, sealed with [security] secret_key; the files are no longer read`);
    return keyring;
  } catch (err) {
    throw err instanceof KeyringError ? new ConfigError(err.message) : err;
  }
}

export async function createGatehouse(o: GatehouseOptions): Promise<Gatehouse> {
  const config = configOf(o);
  const g = config.gatehouse;
  const log = createLogger(g.log_level, o.logStream);
  const ownGrafana = g.grafana_enabled && g.grafana_port !== undefined;
  const gw = config.gateway;
  const gwPaths = new GatewayPaths(gw.prefix);
  // With a gateway, every decision and every forwarded request uses one canonical path (src/faces/gateway/paths.ts).
  const rewriteUrl = gw.moonraker_upstream ? canonicalUrls(gwPaths) : undefined;
  const app = createHttpServer(config, g.grafana_enabled && !ownGrafana ? 'shared' : 'moonraker', log, { plain: o.plainHttp, rewriteUrl });
  const grafanaApp = ownGrafana ? createHttpServer(config, 'grafana', log, { plain: o.plainHttp }) : app;
  // Loaded only with an [ldap] section (the directory client is not small); a bad one fails before the store opens.
  const ldap = config.ldap ? new (await import('../core/sources/ldap/source.js')).LdapSource(config.ldap, log) : undefined;
  const metrics = await createMetrics(config);
  for (const a of new Set([app, grafanaApp])) metrics?.instrument(a);
  const { core, store } = await openCore(config, log, { bootstrap: g.grafana_enabled, sources: ldap ? [ldap] : [], follow: true, feedEvents: metrics?.feedEvents });
  try {
    if (g.moonraker_enabled) {
      await app.register(moonrakerHttp, { core });
      const forwarder = gw.moonraker_upstream ? await websocketGateway(core) : undefined;
      await app.register(moonrakerWebsocket, { core, forwarder, rawError: (socket, status) => writeRawError(socket, new HttpError(status === 404 ? 'NOT_FOUND' : 'SERVICE_UNAVAILABLE'), 'moonraker') });
    }
    if (g.grafana_enabled) await grafanaApp.register(grafanaHttp, { core });
    await registerFrontDoor(app, grafanaApp, core, gwPaths);
    await store.serve();
  } catch (err) {
    await core.stop();
    await store.close();
    throw err;
  }
  core.serve();

  let closed = false;
  let metricsAt: { host: string; port: number } | undefined;
  return {
    config, core, store, app,
    grafanaApp: grafanaApp === app ? undefined : grafanaApp,
    async listen() {
      await app.listen({ host: g.host, port: g.port });
      if (grafanaApp !== app) await grafanaApp.listen({ host: g.grafana_host ?? g.host, port: g.grafana_port! });
      if (metrics) metricsAt = await metrics.start(core, store);
      return boundAddress(app, { host: g.host, port: g.port });
    },
    metricsAddress: () => metricsAt,
    grafanaAddress: () => (grafanaApp === app ? undefined : boundAddress(grafanaApp, { host: g.grafana_host ?? g.host, port: g.grafana_port! })),
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      if (grafanaApp !== app) await grafanaApp.close();
      await metrics?.close();
      await core.stop();
      await store.close();
    },
  };
}

/** Forward auth (/auth/verify) on every listener; with the Grafana face, the admin UI and its sign-in page; the gateway. */
async function registerFrontDoor(app: FastifyInstance, grafanaApp: FastifyInstance, core: Core, paths: GatewayPaths) {
  const gw = core.config.gateway;
  for (const a of new Set([app, grafanaApp])) await a.register(forwardAuth, { core, loginUrl: loginUrlOf(gw) });
  // The admin UI and its sign-in page under the prefix (and at `/` when `/` is gatehouse's): src/web/ui-api.ts.
  if (core.config.gatehouse.grafana_enabled) {
    const pagesPrefix = gw.prefix;
    const shared = grafanaApp === app;
    await app.register(webUi, { core, pagesPrefix, root: !gw.moonraker_upstream, loginUrl: shared ? '/login' : `${pagesPrefix}login`, home: '/' });
    if (!shared) await grafanaApp.register(webUi, { core, pagesPrefix, root: true, loginUrl: '/login', home: '/' });
  }
  if (!gw.moonraker_upstream) return;
  const sessionCookies = core.config.gatehouse.grafana_enabled ? [core.config.auth.login_cookie_name, EXPIRY_COOKIE] : [];
  await registerGateway(app, { core, paths, sessionCookies, markForwarded });
}

function boundAddress(app: FastifyInstance, fallback: { host: string; port: number }) {
  const addr = app.server.address();
  return typeof addr === 'object' && addr ? { host: addr.address, port: addr.port } : fallback;
}

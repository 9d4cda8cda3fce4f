// The composition root: store + keys + core + faces, listening. Used by the CLI
// (`gatehouse serve`) and by applications embedding gatehouse as a library.
import type { FastifyInstance } from 'fastify';
import { Core, type CoreOptions } from '../core/core.js';
import { loadKeyring } from '../core/keyring.js';
import { connectStore, type Store } from '../store/index.js';
import { createHttpServer } from './http-server.js';
import { logFailedRequest } from '../faces/shared/http-errors.js';
import { moonrakerHttp, moonrakerErrorBody } from '../faces/moonraker/http.js';
import { moonrakerWebsocket, type WebsocketLimits } from '../faces/moonraker/websocket/index.js';
import { Errors } from '../core/errors.js';
import { grafanaHttp } from '../faces/grafana/http.js';
import { GrafanaCore } from '../core/grafana/grafana-core.js';
import type { GrafanaOptions } from '../core/grafana/options.js';
import { LdapSource, type LdapOptions } from '../core/user-sources/ldap.js';
import { canonicalUrls, gatewayOptions, GatewayPaths, registerGateway, type GatewayOptions } from '../faces/gateway/index.js';
import { forwardAuth } from '../faces/forward-auth/verify.js';
import { EXPIRY_COOKIE } from '../faces/grafana/cookies.js';
import { prefixedLogin } from '../web/pages.js';
import { gatewayConflict } from '../config/schema.js';

export interface GatehouseOptions {
  host: string;
  port: number;
  dataDir: string;
  store: 'sqlite' | 'postgres';
  postgresUrl?: string;
  maxBodyBytes: number;
  maxHeaderBytes: number;
  logLevel: string;
  logStream?: NodeJS.WritableStream;
  moonraker: { enabled: boolean; corsDomains: string[] };
  /** Limits of the Moonraker websocket (/websocket); any field left out takes its default (see DEFAULT_WEBSOCKET_LIMITS). */
  websocket?: Partial<WebsocketLimits>;
  /** The Grafana face (absent: off). Options not given take Grafana's defaults. */
  grafana?: { enabled: boolean; listen?: { host: string; port: number } } & Partial<GrafanaOptions>;
  core: Omit<CoreOptions, 'issuer' | 'log'> & { issuer?: string };
  /** The LDAP user source, Moonraker's [ldap] (absent: no 'ldap' source). */
  ldap?: LdapOptions;
  /** Gateway mode and /auth/verify's sign-in hint (config [gateway]; docs/gateway.md). Fields left out take their defaults. */
  gateway?: Partial<GatewayOptions>;
}

export interface Gatehouse {
  core: Core;
  store: Store;
  app: FastifyInstance;
  /** The Grafana side of the core when that face is on; `grafana.bootstrap.generatedPassword` is the first start's admin password, to show once. */
  grafana?: GrafanaCore;
  /** Resolves with the bound address once listening. */
  listen(): Promise<{ host: string; port: number }>;
  /** The Grafana face's own address, when it has one (config grafana_port). */
  grafanaAddress(): { host: string; port: number } | undefined;
  close(): Promise<void>;
}

/** The store, keys and core without any HTTP: what the CLI's admin commands use. */
export async function openCore(o: GatehouseOptions, log?: CoreOptions['log']): Promise<{ core: Core; store: Store }> {
  const opened = await connectCore(o, log);
  try {
    await opened.store.migrate();
    await opened.core.start();
    return opened;
  } catch (err) {
    await opened.store.close();
    throw err;
  }
}

/** The store, connected but not migrated yet, and a core on it. */
async function connectCore(o: GatehouseOptions, log?: CoreOptions['log']): Promise<{ core: Core; store: Store }> {
  const store = await connectStore({ engine: o.store, dataDir: o.dataDir, postgresUrl: o.postgresUrl });
  try {
    const keyring = loadKeyring(o.dataDir);
    return { core: new Core(store, keyring, { ...o.core, issuer: o.core.issuer ?? `http://${o.host}:${o.port}`, log }), store };
  } catch (err) {
    await store.close();
    throw err;
  }
}

export async function createGatehouse(o: GatehouseOptions): Promise<Gatehouse> {
  const gw = gatewayOptions(o.gateway);
  const conflict = gatewayConflict(gw.moonrakerUpstream, { moonraker_enabled: o.moonraker.enabled, grafana_enabled: !!o.grafana?.enabled, grafana_port: o.grafana?.listen?.port });
  if (conflict) throw new Error(`[gateway] moonraker_upstream: ${conflict}`);
  const gwPaths = new GatewayPaths(gw.prefix);
  const app = createHttpServer({
    maxBodyBytes: o.maxBodyBytes, maxHeaderBytes: o.maxHeaderBytes, logLevel: o.logLevel, logStream: o.logStream,
    // With a gateway, every decision and every forwarded request uses one canonical path (src/faces/gateway/paths.ts).
    rewriteUrl: gw.moonrakerUpstream ? canonicalUrls(gwPaths) : undefined,
  });
  const ldap = o.ldap ? new LdapSource(o.ldap, app.log) : undefined; // a bad [ldap] fails before the store opens
  const { core, store } = await connectCore(o, app.log);
  if (ldap) core.addSource(ldap);
  const grafana = o.grafana?.enabled ? new GrafanaCore(core, o.grafana) : undefined;
  // The schema check and the in-memory indexes (the core's and the Grafana
  // side's, together) load alongside route building. PostgreSQL does its part on
  // its server meanwhile; SQLite answers on this thread until store.serve()
  // below, while its own thread boots.
  const loading = (async () => {
    await store.migrate();
    await core.start();
    await grafana?.start();
  })();
  loading.catch(() => {}); // awaited below, after the routes

  // The Grafana face shares the main listener unless it is given its own address.
  const grafanaApp = o.grafana?.enabled && o.grafana.listen
    ? createHttpServer({ maxBodyBytes: o.maxBodyBytes, maxHeaderBytes: o.maxHeaderBytes, logLevel: o.logLevel, logStream: o.logStream })
    : app;
  try {
    if (o.moonraker.enabled) await app.register(moonrakerHttp, { core, corsDomains: o.moonraker.corsDomains });
    if (o.moonraker.enabled) await app.register(moonrakerWebsocket, { core, corsDomains: o.moonraker.corsDomains, limits: o.websocket });
    if (grafana) await grafanaApp.register(grafanaHttp, { core, grafana: o.grafana!, grafanaCore: grafana });
    // Forward auth (/auth/verify) on every listener; the sign-in page it points browsers to under the prefix.
    for (const a of new Set([app, grafanaApp])) await a.register(forwardAuth, { core, grafana, loginUrl: gw.loginUrl });
    if (grafana) await app.register(prefixedLogin, { grafana, pagesPrefix: gw.prefix });
    if (gw.moonrakerUpstream) {
      await registerGateway(app, {
        core, gateway: { ...gw, moonrakerUpstream: gw.moonrakerUpstream }, paths: gwPaths, corsDomains: o.moonraker.corsDomains,
        sessionCookies: grafana ? [grafana.opts.loginCookieName, EXPIRY_COOKIE] : [],
      });
    }
    await loading;
    await store.serve();
  } catch (err) {
    await loading.catch(() => {});
    await grafana?.stop();
    await store.close();
    throw err;
  }
  core.startSync();

  for (const a of new Set([app, grafanaApp])) {
    a.setNotFoundHandler((req, reply) => {
      logFailedRequest(req, 404);
      // Grafana's API answers an unknown route with its own body.
      if (grafana && (a === grafanaApp && a !== app || /^\/api(\/|\?|$)/.test(req.url))) return reply.code(404).type('application/json; charset=utf-8').send('{"message":"Not found"}');
      reply.code(404).type('application/json; charset=UTF-8').send(moonrakerErrorBody(Errors.notFound()));
    });
  }

  let closed = false;
  return {
    core,
    store,
    app,
    grafana,
    async listen() {
      await app.listen({ host: o.host, port: o.port });
      if (grafanaApp !== app) await grafanaApp.listen({ host: o.grafana!.listen!.host, port: o.grafana!.listen!.port });
      return boundAddress(app, o);
    },
    grafanaAddress: () => (grafanaApp === app ? undefined : boundAddress(grafanaApp, o.grafana!.listen!)),
    async close() {
      if (closed) return;
      closed = true;
      core.stopSync();
      await app.close();
      if (grafanaApp !== app) await grafanaApp.close();
      await grafana?.stop();
      await store.close();
    },
  };
}

function boundAddress(app: FastifyInstance, fallback: { host: string; port: number }) {
  const addr = app.server.address();
  return typeof addr === 'object' && addr ? { host: addr.address, port: addr.port } : { host: fallback.host, port: fallback.port };
}

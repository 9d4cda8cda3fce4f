// Moonraker's websocket at /websocket: JSON-RPC 2.0 over the same endpoint
// table as the HTTP face (see rpc.ts for the protocol, methods.ts for the
// methods, hub.ts for connections and the [limits] ws_* options).
//
// The upgrade request is authenticated like any Moonraker request (policies.ts,
// "moonraker websocket upgrade"), but a refusal does not refuse the socket: as in
// Moonraker (websockets.py `prepare`), the connection opens needing auth, and
// may then only call methods that need none (access.login, access.refresh_jwt,
// access.info, server.connection.identify) until it identifies or logs in.
//
// @fastify/websocket and the /websocket route live in a scope of their own: the
// plugin's hooks then run for that route only. An upgrade to any other path is
// refused before routing (guardUpgrades).
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Core } from '../../../core/core.js';
import { CoreError } from '../../../core/errors.js';
import type { Identity } from '../../../core/model.js';
import { authenticate } from '../../../auth/run.js';
import { POLICIES } from '../../../auth/policies.js';
import { MoonrakerCors } from '../cors.js';
import { MoonrakerError } from '../errors.js';
import { authRequestOf, moonrakerErrorHandler } from '../http.js';
import { pluginRequestLogs, requestLog } from '../../shared/request-log.js';
import { WebsocketHub } from './hub.js';
import type { Forwarder } from './forwarder.js';

export type { WebsocketHub } from './hub.js';
export type { Forwarder } from './forwarder.js';

/** Writes an error on a socket that was never handed to an HTTP response (the server's raw-socket writer). */
export type RawErrorWriter = (socket: Duplex, status: 404 | 503) => void;

const WEBSOCKET_PATH = '/websocket';
const upgradeAuth = new WeakMap<FastifyRequest, Identity | null>();

declare module 'fastify' {
  interface FastifyInstance { moonrakerWebsocket: WebsocketHub }
}

/** Tornado's check_origin: the Origin's host[:port] must be the Host header. */
function sameOrigin(origin: string, host: string | undefined): boolean {
  const netloc = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(origin)?.[1];
  return netloc !== undefined && host !== undefined && netloc.toLowerCase() === host.toLowerCase();
}

async function websocketPlugin(app: FastifyInstance, opts: { core: Core; rawError: RawErrorWriter; forwarder?: Forwarder }): Promise<void> {
  const { core } = opts;
  const hub = new WebsocketHub(core, app.log, opts.forwarder);
  const cors = new MoonrakerCors(core);
  // Its connection count is what the benchmark reads: `app.moonrakerWebsocket.size`.
  app.decorate('moonrakerWebsocket', hub);

  // On close: no new upgrades, and the open sockets get 1001.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    await hub.close();
  });

  const upgradeListeners = app.server.listeners('upgrade');
  await app.register(async (scope) => {
    scope.setErrorHandler(moonrakerErrorHandler);
    pluginRequestLogs(scope);
    await scope.register(fastifyWebsocket, {
      options: {
        maxPayload: core.config.limits.ws_max_message_bytes,
        perMessageDeflate: false, // a zlib context per connection costs far more than the connection
        clientTracking: false, // the hub tracks its connections
      },
    });
    websocketRoute(scope, hub, cors, core);
  });
  guardUpgrades(app.server, upgradeListeners, () => closing, opts.rawError);
}

/**
 * Upgrade requests go to @fastify/websocket (which routes them through Fastify)
 * only for WEBSOCKET_PATH, and not once the server is closing; any other is
 * answered here and its socket closed.
 */
function guardUpgrades(server: Server, before: Function[], closing: () => boolean, rawError: RawErrorWriter) {
  const added = server.listeners('upgrade').filter((l) => !before.includes(l));
  if (added.length !== 1) throw new Error(`@fastify/websocket added ${added.length} 'upgrade' listeners, expected one`);
  const onUpgrade = added[0] as (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  server.removeListener('upgrade', onUpgrade);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (closing()) return rawError(socket, 503);
    const url = req.url ?? '';
    const q = url.indexOf('?');
    if ((q < 0 ? url : url.slice(0, q)) !== WEBSOCKET_PATH) return rawError(socket, 404);
    onUpgrade.call(server, req, socket, head);
  });
}

function websocketRoute(app: FastifyInstance, hub: WebsocketHub, cors: MoonrakerCors, core: Core) {
  app.route({
    method: 'GET',
    url: WEBSOCKET_PATH,
    async preHandler(req) {
      if (!req.ws) return;
      // A page on another site must not borrow the browser's address (a trusted client) or cookies.
      const origin = req.headers.origin ?? (req.headers['sec-websocket-origin'] as string | undefined);
      if (origin !== undefined && !sameOrigin(origin, req.headers.host) && !(await cors.allows(origin))) throw new MoonrakerError('WS_ORIGIN');
      // The global and per-address caps first (no credential work for a socket that cannot open), then the unauthenticated cap.
      const full = hub.refusal(req.clientIp, true);
      if (full) throw new MoonrakerError(full);
      let identity: Identity | null = null;
      try {
        // Checked as Moonraker checks the upgrade: credentials required (an expired ?access_token= does not do).
        identity = await authenticate(POLICIES.moonrakerUpgrade, authRequestOf(req, true), core);
      } catch (err) {
        if (err instanceof CoreError) requestLog(req).debug({ reason: err.message }, 'websocket upgrade not authenticated');
        else requestLog(req).error({ err }, 'websocket upgrade authentication failed');
      }
      const unauthenticated = identity === null ? hub.refusal(req.clientIp, false) : undefined;
      if (unauthenticated) throw new MoonrakerError(unauthenticated);
      upgradeAuth.set(req, identity);
    },
    handler: async () => {
      throw new MoonrakerError('NOT_WEBSOCKET');
    },
    wsHandler(socket, req) {
      hub.accept(socket, req.clientIp, upgradeAuth.get(req) ?? null);
    },
  });
}

/** Registered at the caller's level (fastify-plugin): the hub's decoration and preClose hook are the server's. */
export const moonrakerWebsocket = fp(websocketPlugin, { name: 'gatehouse-moonraker-websocket' });

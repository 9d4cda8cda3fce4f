// Moonraker's websocket at /websocket: JSON-RPC 2.0 over the same endpoint
// table as the HTTP face (see rpc.ts for the protocol, methods.ts for the
// methods, hub.ts for connections, limits.ts for the limits).
//
// The upgrade request is authenticated like any Moonraker request (JWT, oneshot
// `?token=`, X-Api-Key, trusted client), but a refusal does not refuse the
// socket: as in Moonraker (websockets.py `prepare`), the connection opens
// needing auth, and may then only call methods that need none (access.login,
// access.refresh_jwt, access.info, server.connection.identify) until it
// identifies or logs in. The pipeline runs with authRequired true, as Moonraker
// checks the upgrade, so an expired `?access_token=` does not authenticate.
//
// @fastify/websocket and the /websocket route live in a scope of their own:
// the plugin's hooks (onRequest, onResponse) then run for that route only. At
// the root they ran on every HTTP request, and an onResponse hook makes Fastify
// time each response and add and remove two listeners on it. An upgrade to any
// other path is refused before routing (guardUpgrades).
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Core } from '../../../core/core.js';
import { GatehouseError, isGatehouseError } from '../../../core/errors.js';
import type { Identity } from '../../../core/identity.js';
import { authenticate } from '../../../auth/pipeline.js';
import { moonrakerPipeline } from '../../../auth/moonraker.js';
import { MoonrakerCors } from '../cors.js';
import { WebsocketHub } from './hub.js';
import { websocketLimits, type WebsocketLimits } from './limits.js';
import { writeRawError } from '../../../server/http-server.js';

export { DEFAULT_WEBSOCKET_LIMITS, type WebsocketLimits } from './limits.js';
export type { WebsocketHub } from './hub.js';

export interface MoonrakerWebsocketOptions {
  core: Core;
  corsDomains: string[];
  limits?: Partial<WebsocketLimits>;
}

const kAuth = Symbol('gatehouse.wsAuth');
const WEBSOCKET_PATH = '/websocket';
type UpgradeRequest = FastifyRequest & { [kAuth]?: Identity | null };

/** Tornado's check_origin: the Origin's host[:port] must be the Host header. */
function sameOrigin(origin: string, host: string | undefined): boolean {
  const netloc = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(origin)?.[1];
  return netloc !== undefined && host !== undefined && netloc.toLowerCase() === host.toLowerCase();
}

export async function moonrakerWebsocket(app: FastifyInstance, opts: MoonrakerWebsocketOptions): Promise<void> {
  const { core } = opts;
  const limits = websocketLimits(opts.limits);
  const hub = new WebsocketHub(core, limits, app.log);
  const cors = new MoonrakerCors(opts.corsDomains, core);
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
    await scope.register(fastifyWebsocket, {
      options: {
        maxPayload: limits.maxMessageBytes,
        perMessageDeflate: false, // a zlib context per connection costs far more than the connection
        clientTracking: false, // the hub tracks its connections
      },
    });
    websocketRoute(scope, hub, cors, core);
  });
  guardUpgrades(app.server, upgradeListeners, () => closing);
}

/**
 * Upgrade requests go to @fastify/websocket (which routes them through Fastify)
 * only for WEBSOCKET_PATH, and not once the server is closing; any other is
 * answered here and its socket closed.
 */
function guardUpgrades(server: Server, before: Function[], closing: () => boolean) {
  const added = server.listeners('upgrade').filter((l) => !before.includes(l));
  if (added.length !== 1) throw new Error(`@fastify/websocket added ${added.length} 'upgrade' listeners, expected one`);
  const onUpgrade = added[0] as (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  server.removeListener('upgrade', onUpgrade);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (closing()) return writeRawError(socket, 503, 'Service Unavailable');
    const url = req.url ?? '';
    const q = url.indexOf('?');
    if ((q < 0 ? url : url.slice(0, q)) !== WEBSOCKET_PATH) return writeRawError(socket, 404, 'Not Found');
    onUpgrade.call(server, req, socket, head);
  });
}

function websocketRoute(app: FastifyInstance, hub: WebsocketHub, cors: MoonrakerCors, core: Core) {
  app.route({
    method: 'GET',
    url: WEBSOCKET_PATH,
    async preHandler(req: UpgradeRequest) {
      if (!req.ws) return;
      // A page on another site must not borrow the browser's address (a trusted client) or cookies.
      const origin = req.headers.origin ?? (req.headers['sec-websocket-origin'] as string | undefined);
      if (origin !== undefined && !sameOrigin(origin, req.headers.host) && !(await cors.allows(origin))) {
        throw new GatehouseError('WS_ORIGIN', 'Cross origin websockets not allowed', 403);
      }
      if (hub.full) throw new GatehouseError('WS_FULL', 'Maximum Number of Websocket Connections Reached', 503);
      let identity: Identity | null = null;
      try {
        identity = await authenticate(moonrakerPipeline, {
          method: 'GET', headers: req.headers, query: (req.query ?? {}) as Record<string, unknown>, ip: req.ip, authRequired: true,
        }, core);
      } catch (err) {
        if (isGatehouseError(err)) req.log.debug({ reason: err.message }, 'websocket upgrade not authenticated');
        else req.log.error({ err }, 'websocket upgrade authentication failed');
      }
      req[kAuth] = identity;
    },
    handler: async () => {
      throw new GatehouseError('NOT_WEBSOCKET', 'Can "Upgrade" only to "WebSocket".', 400);
    },
    wsHandler(socket, req: UpgradeRequest) {
      // @fastify/websocket's error listener holds the request and reply for the
      // socket's lifetime; the hub installs a shared one instead.
      socket.removeAllListeners('error');
      const raw = req.raw.socket as unknown as { _httpMessage?: { detachSocket(s: unknown): void } | null } | null;
      raw?._httpMessage?.detachSocket(raw);
      hub.accept(socket, req.ip, req[kAuth] ?? null);
    },
  });
}

// Register at the caller's level (what fastify-plugin does): the hub's decoration and preClose hook are the server's.
(moonrakerWebsocket as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

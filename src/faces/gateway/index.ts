// Gateway mode (config [gateway], docs/gateway.md): gatehouse in front of a
// Moonraker. This file is what the composition root (src/server/gatehouse.ts)
// calls: the URL rewrite to canonical paths that runs before routing, the
// registration of the forwarding context, and the websocket forwarder. The
// forwarding code (undici, @fastify/reply-from, the websocket client) loads only
// when an upstream is configured.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/schema.js';
import type { Core } from '../../core/core.js';
import type { Forwarder } from '../moonraker/websocket/index.js';
import { MOONRAKER_JSON, moonrakerBody } from '../moonraker/errors.js';
import { requestLog } from '../shared/request-log.js';
import type { GatewayError } from './errors.js';
import { GatewayPaths, isBadTarget } from './paths.js';

export { GatewayPaths } from './paths.js';

/** Where /auth/verify sends a browser to sign in: login_url, else the sign-in page under the prefix. */
export const loginUrlOf = (g: Config['gateway']) => g.login_url ?? `${g.prefix}login`;

const BAD_TARGET = Symbol('gatehouse.badTarget');
type Marked = IncomingMessage & { [BAD_TARGET]?: GatewayError };

/**
 * Fastify's rewriteUrl: every request's URL becomes its canonical form before
 * routing, so routes, authentication and forwarding all see that one form. A
 * target without one is marked, routed to `/`, and refused by refuseBadTargets.
 */
export function canonicalUrls(paths: GatewayPaths): (req: IncomingMessage) => string {
  return (req) => {
    const raw = req.url ?? '/';
    const t = paths.canonical(raw);
    if (isBadTarget(t)) {
      (req as Marked)[BAD_TARGET] = t;
      return '/';
    }
    const url = t.query === '' && !raw.includes('?') ? t.path : `${t.path}?${t.query}`;
    return url === raw ? raw : url;
  };
}

/** The 400 for a target canonicalUrls marked, before any route runs (a root hook). */
function refuseBadTargets(app: FastifyInstance) {
  app.addHook('onRequest', (req, reply, done) => {
    const bad = (req.raw as Marked)[BAD_TARGET];
    if (!bad) return done();
    // Logged with the target as it arrived (scrubbed by the logger like every URL), not the `/` it was routed to.
    requestLog(req).info({ req: { method: req.method, url: req.originalUrl, ip: req.clientIp }, res: { statusCode: bad.status } }, 'request failed');
    reply.code(bad.status).header('connection', 'close').type(MOONRAKER_JSON).send(moonrakerBody(bad));
  });
}

export interface RegisterGatewayOptions {
  core: Core;
  paths: GatewayPaths;
  sessionCookies: string[];
  markForwarded: (res: ServerResponse) => void;
}

/** Forwarding on `app` (the Moonraker listener, created with canonicalUrls): the catch-all context and its upstream. */
export async function registerGateway(app: FastifyInstance, o: RegisterGatewayOptions): Promise<void> {
  const g = o.core.config.gateway;
  const [{ Upstream }, { gatewayHttp }] = await Promise.all([import('./upstream.js'), import('./http-proxy.js')]);
  const upstream = await Upstream.open({ origin: g.moonraker_upstream!, timeoutMs: g.upstream_timeout * 1000, connectTimeoutMs: g.upstream_connect_timeout * 1000 });
  if (!upstream.sourceAddress) app.log.warn({ upstream: upstream.origin }, 'gateway: no route to the upstream now; X-Real-Ip is not set, so the upstream sees the client addresses of X-Forwarded-For');
  app.addHook('onClose', () => upstream.close());
  refuseBadTargets(app);
  await app.register(gatewayHttp, { core: o.core, upstream, paths: o.paths, sessionCookies: o.sessionCookies, markForwarded: o.markForwarded });
}

/** The websocket half: each /websocket connection's own upstream websocket (src/faces/gateway/websocket.ts). */
export async function websocketGateway(core: Core): Promise<Forwarder> {
  const { WebsocketGateway } = await import('./websocket.js');
  return WebsocketGateway.create(core);
}

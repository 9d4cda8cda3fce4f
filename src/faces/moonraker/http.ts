// Moonraker's HTTP face: each endpoint of the table at its path, arguments from
// the query string, a form body and a JSON body merged as Moonraker merges them
// (args.ts), `{"result": ...}` on
// success and `{"error": {"code", "message"}}` with that status on failure.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../core/core.js';
import { authenticate } from '../../auth/run.js';
import { POLICIES } from '../../auth/policies.js';
import { AuthRequest } from '../../auth/request.js';
import { checkNeeded, scopeFor } from '../../auth/scopes.js';
import { parseArgs } from '../shared/args.js';
import { HttpError, logFailedRequest } from '../shared/http-errors.js';
import { requestLog } from '../shared/request-log.js';
import { endpoints } from './endpoints/index.js';
import { collectArgs, FormFields, INT, parseMultipart, parseUrlencoded, tornadoArgument } from './args.js';
import type { Identity } from '../../core/model.js';
import type { WebsocketHub } from './websocket/index.js';
import type { Endpoint } from './endpoint.js';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, MoonrakerCors } from './cors.js';
import { MOONRAKER_JSON, moonrakerBody, moonrakerFailure } from './errors.js';

/** The request's credentials. The oneshot `token` may come from a form body too (Tornado's request.arguments); `access_token` only from the query. */
export function authRequestOf(req: FastifyRequest, authRequired: boolean) {
  let query = (req.query ?? {}) as Record<string, unknown>;
  if (req.body instanceof FormFields && req.body.pairs.some(([k]) => k === 'token')) query = { ...query, token: tornadoArgument(req, 'token') };
  return new AuthRequest({ headers: req.headers, query, ip: req.clientIp, method: req.method, authRequired });
}

/** The face's error handler: its envelope, and (RFC 9110 §11.6.1) a 401 names the scheme (Moonraker itself sends none; its clients ignore it). */
export function moonrakerErrorHandler(error: unknown, req: FastifyRequest, reply: FastifyReply) {
  const f = moonrakerFailure(error, requestLog(req));
  logFailedRequest(req, f.status);
  if (f.status === 401) reply.header('WWW-Authenticate', f.code === 'JWT_INVALID' ? 'Bearer realm="gatehouse", error="invalid_token"' : 'Bearer realm="gatehouse"');
  return reply.code(f.status).type(MOONRAKER_JSON).send(moonrakerBody(f));
}

/** An endpoint that takes no arguments answers a request that passes none without running its schema. */
const takesNone = (ep: Endpoint) => Object.keys((ep.args as unknown as { shape?: object }).shape ?? { x: 1 }).length === 0;

function argsOf(ep: Endpoint, none: boolean, req: FastifyRequest) {
  if (none && req.body === undefined && !req.url.includes('?')) return {}; // nothing to collect
  const raw = collectArgs(req);
  for (const _ in raw) return parseArgs(ep.args, raw);
  return none ? {} : parseArgs(ep.args, raw);
}

/**
 * Moonraker's get_associated_websocket: `connection_id` in the query or a form
 * body (never a JSON body's) names a websocket (by the id identify told it: in
 * gateway mode, the upstream's); a login through this request
 * then sets that socket's user (and ends its need for auth). No such socket: nothing.
 */
function setAssociatedIdentity(req: FastifyRequest, identity: Identity | null) {
  const hub = (req.server as { moonrakerWebsocket?: WebsocketHub }).moonrakerWebsocket;
  const raw = tornadoArgument(req, 'connection_id');
  if (!hub || raw === undefined || !INT.test(raw)) return;
  const conn = hub.byClientId(Number(raw.replace(/_/g, '')));
  if (conn) hub.setIdentity(conn, identity);
}

function route(app: FastifyInstance, core: Core, ep: Endpoint) {
  const none = takesNone(ep);
  const needed = scopeFor({ http: ep.http });
  const what = `${ep.http.method} ${ep.http.path}`;
  app.route({
    method: ep.http.method,
    url: ep.http.path,
    async handler(req, reply) {
      const identity = await authenticate(POLICIES.moonrakerHttp, authRequestOf(req, ep.authRequired), core);
      checkNeeded(core, identity, needed, what, req.clientIp);
      const result = await ep.handle({ core, identity, ip: req.clientIp, userAgent: req.headers['user-agent'], transport: 'http', setConnectionIdentity: (id) => setAssociatedIdentity(req, id) }, argsOf(ep, none, req));
      return reply.type(MOONRAKER_JSON).send(JSON.stringify({ result }));
    },
  });
}

export async function moonrakerHttp(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;
  const cors = new MoonrakerCors(core);
  app.setErrorHandler(moonrakerErrorHandler);
  // Form bodies carry arguments, as Tornado's body_arguments (a compressed one is refused, as Tornado does).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (req, body, done) => {
    if (req.headers['content-encoding'] !== undefined) return done(new HttpError('BAD_REQUEST'), undefined);
    done(null, parseUrlencoded(body as Buffer));
  });
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, async (req: FastifyRequest, body: Buffer) => {
    if (req.headers['content-encoding'] !== undefined) throw new HttpError('BAD_REQUEST');
    return parseMultipart(body, req.headers['content-type'] ?? '');
  });

  // Without cors_domains no origin is allowed (the default): no hook on every request then.
  if (cors.enabled) app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (!origin || !(await cors.allows(origin))) return;
    reply.header('Access-Control-Allow-Origin', origin);
    reply.header('Vary', 'Origin');
    if (req.method !== 'OPTIONS') return;
    reply.header('Access-Control-Allow-Methods', CORS_ALLOW_METHODS);
    reply.header('Access-Control-Allow-Headers', CORS_ALLOW_HEADERS);
    if (req.headers['access-control-request-private-network'] === 'true') reply.header('Access-Control-Allow-Private-Network', 'true');
    return reply.code(204).send();
  });

  const byPath = new Map<string, Endpoint[]>();
  for (const ep of endpoints) byPath.set(ep.http.path, [...(byPath.get(ep.http.path) ?? []), ep]);
  for (const [path, eps] of byPath) {
    for (const ep of eps) route(app, core, ep);
    const allowed = new Set<string>(eps.map((e) => e.http.method));
    const others = (['GET', 'POST', 'DELETE', 'PUT', 'PATCH'] as const).filter((m) => !allowed.has(m));
    // RFC 9110 §15.5.6: a 405 lists the methods the resource does support (Moonraker's Tornado sends none).
    const allow = [...allowed, ...(allowed.has('GET') ? ['HEAD'] : [])].join(', ');
    app.route({ method: [...others, 'OPTIONS'], url: path, handler: async (_req, reply) => { reply.header('Allow', allow); throw new HttpError('METHOD_NOT_ALLOWED'); } });
  }
}

// The HTTP gateway: every request on the Moonraker listener that gatehouse does
// not answer itself is authenticated by Moonraker's pipeline and forwarded to
// the upstream Moonraker with @fastify/reply-from (undici), bodies streamed
// both ways. Registered in a context of its own (src/faces/gateway/index.ts):
// its content-type parser hands the raw body stream on, so neither Fastify's
// body limit nor a parser ever holds a forwarded body.
import replyFrom from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { Core } from '../../core/core.js';
import type { Identity } from '../../core/model.js';
import { authenticate } from '../../auth/run.js';
import { POLICIES } from '../../auth/policies.js';
import { checkScope, deciding, UPLOAD_PATHS } from '../../auth/scopes.js';
import { checkedUpload, decidingArgs, type CheckedUpload } from './deciding-args.js';
import { authRequestOf } from '../moonraker/http.js';
import { CORS_ALLOW_HEADERS, MoonrakerCors } from '../moonraker/cors.js';
import { MOONRAKER_JSON, moonrakerBody, moonrakerFailure } from '../moonraker/errors.js';
import { HttpError, logFailedRequest } from '../shared/http-errors.js';
import { pluginRequestLogs, requestLog } from '../shared/request-log.js';
import { upstreamFailure } from './errors.js';
import { forwardedQuery, type GatewayPaths } from './paths.js';
import type { Upstream } from './upstream.js';

export interface GatewayHttpOptions {
  core: Core;
  upstream: Upstream;
  paths: GatewayPaths;
  /** Cookies of gatehouse's own browser sessions: credentials it consumes, never passed on. */
  sessionCookies: string[];
  /** Marks a response relayed from the upstream: its headers go out as the upstream sent them (server/fast-path.ts). */
  markForwarded: (res: import('node:http').ServerResponse) => void;
}

/** TRACE is not forwarded (it would echo credentials back); CONNECT is not routable. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
const BODILESS = new Set(['GET', 'HEAD']);

/** RFC 9110 §7.6.1 and RFC 9112's connection-specific fields (plus the obsolete Proxy-Connection): one hop only. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-authenticate', 'proxy-authorization'];
/**
 * Request fields gatehouse consumes or sets itself: its credentials (the
 * upstream trusts gatehouse's address and needs none), the client-address and
 * scheme fields (set below; Tornado's xheaders would believe a client's), and
 * Expect (Node answers 100-continue itself; undici refuses the field).
 */
const NOT_FORWARDED = ['authorization', 'x-api-key', 'x-access-token', 'x-real-ip', 'x-scheme', 'expect'];

/** Field names listed in a Connection header (they are hop-by-hop too). */
function connectionTokens(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value.join(',') : value).split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
}

function dropHopByHop(headers: Record<string, unknown>) {
  for (const name of connectionTokens(headers.connection as string | undefined)) delete headers[name];
  for (const name of HOP_BY_HOP) delete headers[name];
}

/** The Cookie header without the named cookies (undefined when none is left). */
function withoutCookies(header: string | string[] | undefined, names: Set<string>): string | undefined {
  if (header === undefined) return undefined;
  const kept = (Array.isArray(header) ? header.join('; ') : header).split(';').filter((part) => {
    const eq = part.indexOf('=');
    return !names.has((eq < 0 ? part : part.slice(0, eq)).trim());
  });
  const out = kept.map((p) => p.trim()).filter(Boolean).join('; ');
  return out === '' ? undefined : out;
}

/** A request whose body has not all arrived (a bodiless one is not `complete` either until its handler returns). */
export const hasUnreadBody = (req: FastifyRequest) =>
  !req.raw.complete && (req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0');

declare module 'fastify' {
  interface FastifyRequest { gatewayCorsOrigin?: string }
}

/** The headers a forwarded request carries: hop-by-hop fields, gatehouse's credentials and session cookies dropped; the client address and scheme set. */
function forwardedRequestHeaders(req: FastifyRequest, headers: IncomingHttpHeaders, sessionCookies: Set<string>, sourceAddress: string | undefined): IncomingHttpHeaders {
  dropHopByHop(headers as Record<string, unknown>);
  for (const name of NOT_FORWARDED) delete headers[name];
  if (BODILESS.has(req.method)) delete headers['content-length']; // Fastify reads no body of these, so none is sent on
  const cookie = headers.cookie === undefined ? undefined : withoutCookies(headers.cookie, sessionCookies);
  if (cookie === undefined) delete headers.cookie;
  else headers.cookie = cookie;
  const client = req.raw.socket.remoteAddress ?? '';
  const prior = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${client}` : client;
  headers['x-forwarded-proto'] = req.protocol;
  if (req.headers.host !== undefined) headers['x-forwarded-host'] = req.headers.host;
  else delete headers['x-forwarded-host'];
  if (sourceAddress) headers['x-real-ip'] = sourceAddress;
  return headers;
}

/** The upstream's answer's headers, as relayed: hop-by-hop fields dropped, an allowed CORS origin named when the upstream names none. */
function relayedResponseHeaders(req: FastifyRequest, reply: FastifyReply, headers: Record<string, unknown>, markForwarded: (res: FastifyReply['raw']) => void) {
  dropHopByHop(headers);
  if (req.gatewayCorsOrigin && headers['access-control-allow-origin'] === undefined) {
    headers['access-control-allow-origin'] = req.gatewayCorsOrigin;
    headers.vary = headers.vary ? `${headers.vary}, Origin` : 'Origin';
  }
  markForwarded(reply.raw);
  return headers;
}

/** How a request's body goes on: `read`, read for its arguments and sent as read; `upload`, checked as it streams; else as it comes. */
interface ForwardBody { read?: Buffer; upload?: CheckedUpload }

/** A file call below admin: the places its arguments name decide its scope too (auth/scopes.ts, deciding-args.ts). */
async function checkFileArgs(core: Core, identity: Identity | null, r: { http: { method: string; path: string } }, req: FastifyRequest): Promise<ForwardBody> {
  if (!identity || core.verify.scopeOf(identity) === 'admin' || !deciding(r)) return {};
  const check = (args: Record<string, unknown>) => checkScope(core, identity, { ...r, args }, req.clientIp);
  // An upload's arguments are checked as its body streams on; any other file call's small body is read first.
  if (UPLOAD_PATHS.includes(r.http.path)) return { upload: checkedUpload(req, check) };
  const { args, body } = await decidingArgs(req);
  check(args);
  return { read: body };
}

export async function gatewayHttp(app: FastifyInstance, o: GatewayHttpOptions) {
  const { core, upstream, paths } = o;
  const cors = new MoonrakerCors(core);
  const sessionCookies = new Set(o.sessionCookies);

  pluginRequestLogs(app);
  // No retries: a 503 from Moonraker (Klippy not ready) is an answer, passed on as it is.
  await app.register(replyFrom, { base: upstream.origin, undici: upstream.pool as never, disableRequestLogging: true, retryMethods: [] });

  // Bodies are not parsed here: the raw stream goes on to the upstream as it arrives.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  const send = (req: FastifyRequest, reply: FastifyReply, error: unknown) => {
    const f = moonrakerFailure(error, requestLog(req));
    logFailedRequest(req, f.status);
    // A body the client is still sending is not read: the connection closes after this answer.
    if (hasUnreadBody(req)) reply.header('connection', 'close');
    if (f.status === 401) reply.header('WWW-Authenticate', f.code === 'JWT_INVALID' ? 'Bearer realm="gatehouse", error="invalid_token"' : 'Bearer realm="gatehouse"');
    return reply.code(f.status).type(MOONRAKER_JSON).send(moonrakerBody(f));
  };
  app.setErrorHandler((error, req, reply) => send(req, reply, error));

  // CORS: a preflight carries no credential, so it is answered here and never
  // forwarded; an allowed origin is also named on the forwarded answer when the upstream names none.
  if (cors.enabled) app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (!origin || !(await cors.allows(origin))) return;
    req.gatewayCorsOrigin = origin;
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      reply.header('Access-Control-Allow-Origin', origin).header('Vary', 'Origin');
      reply.header('Access-Control-Allow-Methods', 'GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS').header('Access-Control-Allow-Headers', CORS_ALLOW_HEADERS);
      return reply.code(204).send();
    }
  });

  const requestHeaders = (req: FastifyRequest, headers: IncomingHttpHeaders) => forwardedRequestHeaders(req, headers, sessionCookies, upstream.sourceAddress);
  const responseHeaders = (req: FastifyRequest, reply: FastifyReply, headers: Record<string, unknown>) => relayedResponseHeaders(req, reply, headers, o.markForwarded);

  // Returns the reply: Fastify then waits for the answer the upstream gives (Reply is a thenable).
  const forward = (req: FastifyRequest, reply: FastifyReply, path: string, query: string, o: ForwardBody) => {
    if (o.upload) req.body = o.upload.body;
    return reply.from(path, {
      ...(o.read ? { body: o.read, contentType: req.headers['content-type'] ?? 'application/octet-stream' } : {}),
      queryString: () => forwardedQuery(query),
      rewriteRequestHeaders: (_r, headers) => requestHeaders(req, headers as IncomingHttpHeaders),
      rewriteHeaders: (headers) => responseHeaders(req, reply, headers as Record<string, unknown>) as IncomingHttpHeaders,
      onError: (r, { error }) => {
        const refused = o.upload?.refusal();
        if (refused) return void send(req, r as FastifyReply, refused); // the upload was stopped before its end
        const err = upstreamFailure(error);
        requestLog(req).warn({ req, upstream: upstream.origin, cause: err.params.cause }, 'gateway: upstream failed');
        send(req, r as FastifyReply, err);
      },
    });
  };

  app.route({
    method: METHODS,
    url: '/*',
    config: { streamsBody: true },
    async handler(req, reply) {
      // req.url is canonical here (src/faces/gateway/index.ts rewrote it before routing).
      const q = req.url.indexOf('?');
      const path = q < 0 ? req.url : req.url.slice(0, q);
      // One of gatehouse's own paths without a route of its own: never forwarded.
      if (paths.owns(path)) throw new HttpError('NOT_FOUND');
      const identity = await authenticate(POLICIES.gateway, authRequestOf(req, true), core);
      // What the identity may do (src/auth/scopes.ts): a refusal is a 403 and never reaches the upstream.
      const r = { http: { method: req.method, path } };
      checkScope(core, identity, r, req.clientIp);
      return forward(req, reply, path, q < 0 ? '' : req.url.slice(q + 1), await checkFileArgs(core, identity, r, req));
    },
  });
}

// One Fastify instance per listener: body and header limits, a JSON parser that
// reports malformed bodies as 400, security headers on every response
// (fast-path.ts), request logs with secrets scrubbed from URLs, and every error
// the server itself answers (parser refusals, unknown routes, framework
// errors) in the envelope of the face the listener (or, on the shared
// listener, the URL) belongs to.
import type { Duplex } from 'node:stream';
import http from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino, stdSerializers, type LoggerOptions } from 'pino';
import type { Config } from '../config/schema.js';
import { clientErrorOf, HttpError } from '../faces/shared/http-errors.js';
import { parseJsonBody } from '../faces/shared/json-body.js';
import { createNodeServer, loggerOptions, requestLoggerFactory, SECURITY_LINES } from './fast-path.js';
import { ClientAddresses } from './client-address.js';
import { normalizeIp } from '../core/security/trusted-clients.js';
import { faceOfUrl, rawBody, renderError, type Listener } from './envelopes.js';

/** A query parameter whose (decoded) name says it may carry a secret: password, new_password, token, api_key, … */
const SECRET_PARAM = /pass|token|secret|key|auth|session|cookie/i;

/** The URL for logging: the value of every parameter that may carry a secret is replaced by [redacted]. */
export function scrubUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url.slice(q + 1).split('&').map((part) => {
    const eq = part.indexOf('=');
    let name = eq < 0 ? part : part.slice(0, eq);
    try { name = decodeURIComponent(name.replace(/\+/g, ' ')); } catch { /* keep it raw */ }
    return !SECRET_PARAM.test(name) || eq < 0 ? part : `${part.slice(0, eq)}=[redacted]`;
  });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

/** An error answered on a raw socket, outside Fastify (the socket is closed after it), in the listener's envelope. */
export function writeRawError(socket: Duplex, err: HttpError, listener: Listener) {
  const { body, type } = rawBody(listener, err);
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${err.status} ${http.STATUS_CODES[err.status]}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${SECURITY_LINES}Connection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

export function createLogger(level: string, stream?: NodeJS.WritableStream): FastifyBaseLogger {
  const o: LoggerOptions = {
    level,
    serializers: {
      req: (req: FastifyRequest) => ({ method: req.method, url: scrubUrl(req.url), remoteAddress: req.clientIp ?? req.ip }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: stdSerializers.err,
    },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'], censor: '[redacted]' },
  };
  return stream ? pino(o, stream) : pino(o);
}

/**
 * Request logs: at log level debug (or trace) every request, as Fastify logs them;
 * above that, only failed requests (status >= 400), as Grafana does with
 * router_logging off: two info lines for every successful request cost a third
 * of the CPU time of an authenticated GET (bench/RESULTS.md).
 */
const logsEveryRequest = (level: string) => level === 'debug' || level === 'trace';

declare module 'fastify' {
  /** A route that streams its body on as it comes (the gateway's forwarding): the body-size limit is not its. */
  interface FastifyContextConfig { streamsBody?: boolean }
  /** The client's address (client-address.ts: trusted_proxies); every address check reads this, never Fastify's `ip`. */
  interface FastifyRequest { clientIp: string }
}

const CLIENT_IP = Symbol('clientIp');

export interface ServerOptions {
  plain?: boolean;
  /** Rewrites each request's URL before routing (the gateway's canonical paths: src/faces/gateway/index.ts). */
  rewriteUrl?: (req: http.IncomingMessage) => string;
}

export function createHttpServer(config: Config, listener: Listener, log: FastifyBaseLogger, o: ServerOptions = {}): FastifyInstance {
  const { max_body_bytes: maxBody, log_level: level } = config.gatehouse;
  const root = (error: unknown, req: FastifyRequest, reply: FastifyReply) => renderError(faceOfUrl(listener, req.url), error, req, reply);
  const app = Fastify({
    ...loggerOptions(log, logsEveryRequest(level), !!o.plain),
    frameworkErrors: root,
    clientErrorHandler: (err: NodeJS.ErrnoException, socket: Duplex) => {
      if (err.code !== 'ECONNRESET' && !socket.destroyed) writeRawError(socket, clientErrorOf(err), listener);
    },
    bodyLimit: maxBody,
    serverFactory: (handler) => createNodeServer(config.limits.max_header_bytes, !!o.plain, handler),
    return503OnClosing: true,
    forceCloseConnections: true,
    ...(o.rewriteUrl ? { rewriteUrl: o.rewriteUrl } : {}),
  });
  // Without a logger of its own, Fastify's app.log is a no-op: plugins log through this one.
  if (!logsEveryRequest(level)) (app as { log: FastifyBaseLogger }).log = log;
  // Where Fastify makes no request loggers (fast-path.ts), the faces' request logs make theirs (faces/shared/request-log.ts).
  const requestLogger = requestLoggerFactory(log, logsEveryRequest(level), !!o.plain);
  if (requestLogger) app.decorate('requestLoggerFactory', requestLogger);
  app.setErrorHandler(root);
  const addresses = new ClientAddresses(config.gatehouse.trusted_proxies);
  app.decorateRequest('clientIp', addresses.empty
    ? { getter(this: FastifyRequest) { return normalizeIp(this.raw.socket?.remoteAddress ?? ''); } }
    : { getter(this: FastifyRequest & { [CLIENT_IP]?: string }) { return (this[CLIENT_IP] ??= addresses.of(this.raw.socket?.remoteAddress, this.headers)); } });
  app.setNotFoundHandler((req, reply) => renderError(faceOfUrl(listener, req.url), new HttpError('NOT_FOUND'), req, reply));

  // Empty body is "no arguments"; malformed JSON or bytes that are not UTF-8 are a 400 naming the problem.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    let value: unknown;
    try {
      value = parseJsonBody(body as Buffer);
    } catch (err) {
      return done(err as HttpError, undefined);
    }
    done(null, value);
  });
  // Other bodies (text; forms outside the Moonraker face, which parses its own: faces/moonraker/args.ts) are read within the size limit and ignored.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => done(null, undefined));

  // A declared length over the limit is refused before a byte of the body is read
  // (a streamed body is cut off by Fastify's own bodyLimit once it passes the limit).
  // (Fastify's callback form: an async hook would cost every request a promise.)
  // (The declared length first: most requests have none, and req.routeOptions builds an object on every read.)
  app.addHook('onRequest', (req, _reply, done) => {
    const declared = req.headers['content-length'];
    if (declared === undefined || !(Number(declared) > maxBody) || req.routeOptions.config?.streamsBody) return done();
    done(new HttpError('BODY_TOO_LARGE', { limit: maxBody }));
  });
  return app;
}

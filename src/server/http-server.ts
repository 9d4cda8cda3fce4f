// The Fastify instance both faces are mounted on: body and header limits, a JSON
// parser that reports malformed bodies as 400, security headers on every
// response, and request logs with secrets scrubbed from URLs.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'fastify/types/logger.js';
import { pino, stdSerializers, type LoggerOptions } from 'pino';
import { Errors } from '../core/errors.js';
import { logFailedRequest, toGatehouseError } from '../faces/shared/http-errors.js';

export interface HttpServerOptions {
  maxBodyBytes: number;
  maxHeaderBytes: number;
  logLevel: string;
  /** A pino destination stream (tests capture logs through it). */
  logStream?: NodeJS.WritableStream;
  /** Rewrites each request's URL before routing (the gateway's canonical paths: src/faces/gateway/index.ts). */
  rewriteUrl?: (req: http.IncomingMessage) => string;
}

declare module 'fastify' {
  /** A route that streams its body on as it comes (the gateway's forwarding): the body-size limit is not its. */
  interface FastifyContextConfig { streamsBody?: boolean }
}

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
    if (!SECRET_PARAM.test(name)) return part;
    return eq < 0 ? part : `${part.slice(0, eq)}=[redacted]`;
  });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

const SECURITY_HEADERS: [string, string][] = [
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'no-referrer'],
  ['Cache-Control', 'no-store'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
];

/** Header pairs as the lines of a response head. */
const headerLines = (pairs: [string, string][]) => pairs.map(([k, v]) => `${k}: ${v}\r\n`).join('');
const SECURITY_LINES = headerLines(SECURITY_HEADERS);

type StoreHeader = (this: http.ServerResponse, firstLine: string, headers: unknown) => void;
const nodeStoreHeader = (http.ServerResponse.prototype as unknown as { _storeHeader?: StoreHeader })._storeHeader;

const SECURITY_NAMES = SECURITY_HEADERS.map(([k]) => k.toLowerCase());

/**
 * The security header lines for a response: all of them, less those it sets
 * itself. `headers` is what Node passes to _storeHeader: its own header map or
 * writeHead's object (both keyed by lower-case name here), or an array of pairs.
 */
function securityLines(headers: unknown): string {
  if (headers === null || typeof headers !== 'object') return SECURITY_LINES;
  const set = Array.isArray(headers)
    ? Object.fromEntries(headers.flat().filter((_, i) => i % 2 === 0).map((n) => [String(n).toLowerCase(), true]))
    : (headers as Record<string, unknown>);
  for (const name of SECURITY_NAMES) {
    if (set[name] !== undefined) return headerLines(SECURITY_HEADERS.filter((_, i) => set[SECURITY_NAMES[i]!] === undefined));
  }
  return SECURITY_LINES;
}

/**
 * A response that carries the security headers, whatever produced it (a route,
 * an error handler, Fastify itself). Node checks and serialises each header of
 * each response, ~4,500 instructions a header (bench/instructions.ts): set one
 * by one, these five constant headers cost a fifth of an authenticated GET.
 * Here they join the header block as one string, checked once, in
 * `_storeHeader`, the step where Node's outgoing message writes that block. It
 * is not public API (though unchanged since Node 0.x): without it the server
 * sets them one by one instead. A header the response sets itself (the web
 * pages' CSP) replaces the default.
 */
const FORWARDED = Symbol('gatehouse.forwarded');

class SecureResponse extends http.ServerResponse {
  [FORWARDED]?: boolean;
  _storeHeader(firstLine: string, headers: unknown): void {
    nodeStoreHeader!.call(this, this[FORWARDED] ? firstLine : firstLine + securityLines(headers), headers);
  }
}

/** A response relayed from an upstream: its headers go out as the upstream sent them, without the security headers added. */
export function markForwarded(res: http.ServerResponse): void {
  (res as SecureResponse)[FORWARDED] = true;
  if (!nodeStoreHeader) for (const [k] of SECURITY_HEADERS) res.removeHeader(k);
}

/**
 * An error answered on a raw socket, outside Fastify (the socket is closed
 * after it): the same JSON envelope and security headers as everything else.
 */
export function writeRawError(socket: Duplex, status: number, message: string) {
  const body = JSON.stringify({ error: { code: status, message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      SECURITY_LINES + `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * Requests Node's parser refuses before Fastify sees them (headers over
 * maxHeaderBytes, a malformed request line, a timeout): answered on the raw
 * socket, in the same JSON envelope and with the same headers as everything else.
 */
function clientError(err: NodeJS.ErrnoException, socket: Duplex) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] = err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request headers too large']
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request timeout']
    : [400, 'Bad Request'];
  writeRawError(socket, status, message);
}

/**
 * Errors outside any face (a bad URL, an oversized body on an unknown path): the
 * same `{"error": {"code", "message"}}` envelope as the 404 handler, never
 * Fastify's default body (which names internal FST_ codes and echoes the URL).
 * Faces set their own handler for their routes.
 */
function rootError(error: unknown, req: FastifyRequest, reply: FastifyReply) {
  const err = toGatehouseError(error, req.log);
  logFailedRequest(req, err.status);
  return reply.code(err.status).type('application/json; charset=UTF-8').send({ error: { code: err.status, message: err.message } });
}

/**
 * Request logs: at log level debug (or trace) every request, as Fastify logs them;
 * above that, only failed requests (status >= 400), as Grafana does with
 * router_logging off. Two info lines for every successful request cost a third
 * of the CPU time of an authenticated GET (bench/RESULTS.md). Above debug,
 * Fastify runs without a logger of its own: with one, it also times every
 * request and listens for every response's end (two listeners added and
 * removed, two clock reads) only to decide whether to log it.
 */
const logsEveryRequest = (level: string) => level === 'debug' || level === 'trace';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
const LEVELS: Level[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/**
 * The per-request logger (bindings: reqId): a pino child of the server's logger,
 * created on its first log call. Fastify makes a pino child for every request;
 * that costs ~4.5 µs (bindings serialised, levels set up), as much as the whole
 * cached-JWT check, and most requests never log once request logs are off.
 */
class LazyRequestLogger {
  #real: FastifyBaseLogger | undefined;
  constructor(private parent: FastifyBaseLogger, private bindings: Bindings, private opts: ChildLoggerOptions) {}
  /** The pino child, made now if not yet. */
  real(): FastifyBaseLogger {
    return (this.#real ??= this.parent.child(this.bindings, this.opts));
  }
  get level(): string { return (this.#real ?? this.parent).level; }
  set level(l: string) { this.real().level = l; }
  isLevelEnabled(l: string): boolean { return ((this.#real ?? this.parent) as unknown as { isLevelEnabled(l: string): boolean }).isLevelEnabled(l); }
  child(bindings: Bindings, opts?: ChildLoggerOptions): FastifyBaseLogger { return this.real().child(bindings, opts); }
  silent(): void {}
  declare fatal: FastifyBaseLogger['fatal'];
  declare error: FastifyBaseLogger['error'];
  declare warn: FastifyBaseLogger['warn'];
  declare info: FastifyBaseLogger['info'];
  declare debug: FastifyBaseLogger['debug'];
  declare trace: FastifyBaseLogger['trace'];
}
for (const level of LEVELS) {
  Object.defineProperty(LazyRequestLogger.prototype, level, {
    value(this: LazyRequestLogger, ...args: unknown[]) {
      if (this.isLevelEnabled(level)) (this.real() as unknown as Record<Level, (...a: unknown[]) => void>)[level](...args);
    },
  });
}

export function createHttpServer(o: HttpServerOptions): FastifyInstance {
  const logOptions: LoggerOptions = {
    level: o.logLevel,
    serializers: {
      req: (req: FastifyRequest) => ({ method: req.method, url: scrubUrl(req.url), remoteAddress: req.ip }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: stdSerializers.err,
    },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'], censor: '[redacted]' },
  };
  const log: FastifyBaseLogger = o.logStream ? pino(logOptions, o.logStream) : pino(logOptions);
  const app = Fastify({
    // Fastify's request logger is a lazy child of this one, whichever logger Fastify itself has.
    childLoggerFactory: (_fastifyLogger, bindings, opts) => new LazyRequestLogger(log, bindings, opts) as unknown as FastifyBaseLogger,
    ...(logsEveryRequest(o.logLevel) ? { loggerInstance: log } : { logController: new LogController({ disableRequestLogging: true }) }),
    frameworkErrors: rootError,
    clientErrorHandler: clientError,
    bodyLimit: o.maxBodyBytes,
    serverFactory: (handler) => nodeStoreHeader
      ? http.createServer({ maxHeaderSize: o.maxHeaderBytes, ServerResponse: SecureResponse as typeof http.ServerResponse }, handler)
      : http.createServer({ maxHeaderSize: o.maxHeaderBytes }, (req, res) => {
        for (const [k, v] of SECURITY_HEADERS) res.setHeader(k, v);
        handler(req, res);
      }),
    return503OnClosing: true,
    forceCloseConnections: true,
    ...(o.rewriteUrl ? { rewriteUrl: o.rewriteUrl } : {}),
  });

  // Without a logger of its own, Fastify's app.log is a no-op: plugins log through this one.
  if (!logsEveryRequest(o.logLevel)) (app as { log: FastifyBaseLogger }).log = log;
  app.setErrorHandler(rootError);

  // Empty body is "no arguments"; malformed JSON is a 400 naming the problem.
  // Bytes that are not UTF-8 are refused rather than silently turned into U+FFFD.
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      return done(Errors.invalidUtf8(), undefined);
    }
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Errors.invalidJson(), undefined);
    }
  });
  // Other bodies (forms, text) are read within the size limit and ignored, as Moonraker ignores them.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => done(null, undefined));

  // A declared length over the limit is refused before a byte of the body is read
  // (a streamed body is cut off by Fastify's own bodyLimit once it passes the limit).
  // (Runs on every request: callback style, not async, saves a promise and a microtask.)
  app.addHook('onRequest', (req, _reply, done) => {
    if (req.routeOptions.config.streamsBody) return done();
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > o.maxBodyBytes) return done(Errors.bodyTooLarge(o.maxBodyBytes));
    done();
  });

  return app;
}

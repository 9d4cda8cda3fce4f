// The one seam for per-request performance work that the benchmark tells apart
// from noise (bench/RESULTS.md). Each has a plain fallback: `plain: true` (or
// GATEHOUSE_PLAIN_HTTP=1, for A/B runs) uses it, as does a Node without the
// private hook the first one relies on.
//
// 1. Security headers as one pre-checked block. Node checks and serialises each
//    header of each response (~4,500 instructions a header, bench/instructions.ts):
//    set one by one, five constant headers cost a fifth of an authenticated GET.
//    Here they join the header block as one string in ServerResponse's
//    `_storeHeader` (not public API, unchanged since Node 0.x).
// 2. No per-request logger from Fastify. Fastify makes a pino child per request
//    (~4.5 µs, as much as a cached credential check), and even a lazy one from a
//    childLoggerFactory of ours costs ~3,000 instructions a request (Fastify checks
//    every logger a factory returns); most requests never log once request logs
//    are off (above log level debug). Gatehouse's own request logs ask
//    faces/shared/request-log.ts, which makes a lazy child on first use through
//    the `requestLoggerFactory` decoration; scopes whose plugins log through
//    request.log (reply-from, @fastify/websocket) set it as their factory.
import http from 'node:http';
import { LogController, type FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'fastify/types/logger.js';

export const SECURITY_HEADERS: [string, string][] = [
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'no-referrer'],
  ['Cache-Control', 'no-store'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
];
const headerLines = (pairs: [string, string][]) => pairs.map(([k, v]) => `${k}: ${v}\r\n`).join('');
export const SECURITY_LINES = headerLines(SECURITY_HEADERS);
const SECURITY_NAMES = SECURITY_HEADERS.map(([k]) => k.toLowerCase());

type StoreHeader = (this: http.ServerResponse, firstLine: string, headers: unknown) => void;
const nodeStoreHeader = (http.ServerResponse.prototype as unknown as { _storeHeader?: StoreHeader })._storeHeader;

export const fastPathOn = (plain?: boolean) => !plain && process.env.GATEHOUSE_PLAIN_HTTP !== '1' && nodeStoreHeader !== undefined;

/** The security header lines, less those the response sets itself (`headers`: Node's header map, writeHead's object, or pairs). */
function securityLines(headers: unknown): string {
  if (headers === null || typeof headers !== 'object') return SECURITY_LINES;
  const set = Array.isArray(headers)
    ? Object.fromEntries(headers.flat().filter((_, i) => i % 2 === 0).map((n) => [String(n).toLowerCase(), true]))
    : (headers as Record<string, unknown>);
  if (!SECURITY_NAMES.some((n) => set[n] !== undefined)) return SECURITY_LINES;
  return headerLines(SECURITY_HEADERS.filter((_, i) => set[SECURITY_NAMES[i]!] === undefined));
}

const FORWARDED = Symbol('gatehouse.forwarded');

class SecureResponse extends http.ServerResponse {
  [FORWARDED]?: boolean;
  _storeHeader(firstLine: string, headers: unknown): void {
    nodeStoreHeader!.call(this, this[FORWARDED] ? firstLine : firstLine + securityLines(headers), headers);
  }
}

/** A response relayed from an upstream (the gateway): its headers go out as the upstream sent them, without the security headers added. */
export function markForwarded(res: http.ServerResponse): void {
  (res as SecureResponse)[FORWARDED] = true;
  if (!(res instanceof SecureResponse)) for (const [k] of SECURITY_HEADERS) res.removeHeader(k);
}

/** The HTTP server of a listener: every response carries the security headers (a header the response sets itself wins). */
export function createNodeServer(maxHeaderSize: number, plain: boolean, handler: http.RequestListener): http.Server {
  if (fastPathOn(plain)) return http.createServer({ maxHeaderSize, ServerResponse: SecureResponse as typeof http.ServerResponse }, handler);
  return http.createServer({ maxHeaderSize }, (req, res) => {
    for (const [k, v] of SECURITY_HEADERS) res.setHeader(k, v);
    handler(req, res);
  });
}

/** The per-request logger: a pino child of `parent`, made on its first log call. */
export class LazyRequestLogger {
  #real: FastifyBaseLogger | undefined;
  constructor(private parent: FastifyBaseLogger, private bindings: Bindings, private opts: ChildLoggerOptions) {}
  private real(): FastifyBaseLogger { return (this.#real ??= this.parent.child(this.bindings, this.opts)); }
  private current(): FastifyBaseLogger { return this.#real ?? this.parent; }
  get level(): string { return this.current().level; }
  set level(l: string) { this.real().level = l; }
  isLevelEnabled(l: string): boolean { return (this.current() as unknown as { isLevelEnabled(l: string): boolean }).isLevelEnabled(l); }
  child(bindings: Bindings, opts?: ChildLoggerOptions): FastifyBaseLogger { return this.real().child(bindings, opts); }
  fatal(...a: unknown[]) { this.log('fatal', a); }
  error(...a: unknown[]) { this.log('error', a); }
  warn(...a: unknown[]) { this.log('warn', a); }
  info(...a: unknown[]) { this.log('info', a); }
  debug(...a: unknown[]) { this.log('debug', a); }
  trace(...a: unknown[]) { this.log('trace', a); }
  silent() {}
  private log(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', args: unknown[]) {
    if (this.isLevelEnabled(level)) (this.real()[level] as (...a: unknown[]) => void)(...args);
  }
}

/** Fastify's logger options: above debug, no logger of Fastify's own and none per request (requestLoggerFactory); else (plain) pino children. */
export function loggerOptions(log: FastifyBaseLogger, everyRequest: boolean, plain: boolean) {
  if (everyRequest) return { loggerInstance: log };
  if (!fastPathOn(plain)) return { loggerInstance: log, disableRequestLogging: true };
  // Without a logger of its own Fastify neither times every request nor listens for every response's end.
  return { logController: new LogController({ disableRequestLogging: true }) };
}

/** A request's logger made on its first log call (undefined when Fastify makes request loggers itself: debug, or plain). */
export function requestLoggerFactory(log: FastifyBaseLogger, everyRequest: boolean, plain: boolean) {
  if (everyRequest || !fastPathOn(plain)) return undefined;
  return (bindings: Bindings, opts: ChildLoggerOptions = {}) => new LazyRequestLogger(log, bindings, opts) as unknown as FastifyBaseLogger;
}

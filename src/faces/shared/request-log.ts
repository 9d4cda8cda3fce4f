// The logger of one request, for gatehouse's own request logs (failed requests,
// unexpected errors). Fastify makes each request a logger (req.log) only at log
// level debug or off the fast path; otherwise the server decorates itself with
// `requestLoggerFactory` (server/fast-path.ts) and a request's logger is made
// on its first log call. A scope whose plugins log through request.log
// (@fastify/reply-from, @fastify/websocket) gives them such loggers with
// pluginRequestLogs().
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'fastify/types/logger.js';

declare module 'fastify' {
  interface FastifyInstance { requestLoggerFactory?: (bindings: Bindings, opts?: ChildLoggerOptions) => FastifyBaseLogger }
}

const OWN = Symbol('gatehouse.requestLog');

/** The request's logger: Fastify's own, else one with the request's id, made once. */
export function requestLog(req: FastifyRequest): FastifyBaseLogger {
  const make = req.server.requestLoggerFactory;
  if (!make) return req.log;
  const r = req as FastifyRequest & { [OWN]?: FastifyBaseLogger };
  return (r[OWN] ??= make({ reqId: req.id }));
}

/** Request loggers for the plugins of `scope` (their own request.log calls), where Fastify makes none. */
export function pluginRequestLogs(scope: FastifyInstance): void {
  const make = scope.requestLoggerFactory;
  if (make) scope.setChildLoggerFactory((_log, bindings, opts) => make(bindings, opts));
}

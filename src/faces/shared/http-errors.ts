// Turns anything thrown while serving a request into a GatehouseError: our own
// errors pass through, Fastify's client errors keep their 4xx, and anything
// else becomes a 500 whose details go to the log only.
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { Errors, GatehouseError, isGatehouseError } from '../../core/errors.js';

export function toGatehouseError(error: unknown, log: FastifyBaseLogger): GatehouseError {
  if (isGatehouseError(error)) return error;
  const e = error as { code?: string; statusCode?: number; message?: string };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return Errors.bodyTooLarge(Number((e.message ?? '').match(/\d+/)?.[0]) || undefined);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return Errors.invalidJson();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return new GatehouseError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Content-Type', 415);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH': return new GatehouseError('BAD_CONTENT_LENGTH', 'Request body size did not match Content-Length', 400);
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new GatehouseError('BAD_REQUEST', e.statusCode === 404 ? 'Not Found' : 'Bad Request', e.statusCode);
  }
  log.error({ err: error }, 'unhandled error');
  return new GatehouseError('INTERNAL', 'Internal Server Error', 500);
}

/**
 * The log line of a failed response (status >= 400), written where error responses
 * are sent (error and not-found handlers): above log level debug, the only request
 * logs (see src/server/http-server.ts).
 */
export function logFailedRequest(req: FastifyRequest, status: number): void {
  if (status >= 400) req.log.info({ req, res: { statusCode: status } }, 'request failed');
}

// Failures of HTTP itself (the transport, the parser, the framework), which
// either face renders in its own envelope. `toHttpError` turns anything thrown
// while serving a request that is not one of ours into one of these; anything
// unexpected becomes a 500 whose details go to the log only.
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { CatalogueError, CoreError, StoreUnavailableError } from '../../core/errors.js';
import { requestLog } from './request-log.js';

/** code → [status, message (Moonraker's face writes these; Grafana's its own wording, see faces/grafana/errors.ts)]. */
export const HTTP_ERRORS = {
  NOT_FOUND: [404, 'Not Found'],
  METHOD_NOT_ALLOWED: [405, 'Method Not Allowed'],
  BAD_REQUEST: [400, 'Bad Request'],
  INVALID_JSON: [400, 'Malformed JSON in request body'],
  INVALID_UTF8: [400, 'Request body is not valid UTF-8'],
  BODY_NOT_OBJECT: [400, 'Request body must be a JSON object'],
  BAD_CONTENT_LENGTH: [400, 'Request body size did not match Content-Length'],
  UNSUPPORTED_MEDIA_TYPE: [415, 'Unsupported Content-Type'],
  BODY_TOO_LARGE: [413, 'Request body exceeds {limit} bytes'],
  BODY_TOO_LARGE_STREAMED: [413, 'Request body too large'],
  HEADERS_TOO_LARGE: [431, 'Request headers too large'],
  REQUEST_TIMEOUT: [408, 'Request timeout'],
  SERVICE_UNAVAILABLE: [503, 'Service Unavailable'],
  INTERNAL: [500, 'Internal Server Error'],
} as const satisfies Record<string, readonly [number, string]>;

export type HttpCode = keyof typeof HTTP_ERRORS;

export class HttpError extends CatalogueError<HttpCode> {
  constructor(code: HttpCode, params: Record<string, unknown> = {}) {
    super(code, params, HTTP_ERRORS[code]);
  }
}

/** What a face renders: one of ours (the core's, HTTP's, or the face's own, which `own` recognises). */
export function toKnownError<E extends Error>(error: unknown, log: FastifyBaseLogger, own: (e: unknown) => e is E): CoreError | HttpError | E {
  if (error instanceof CoreError || error instanceof HttpError || own(error)) return error;
  const e = error as { code?: string; statusCode?: number; message?: string };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return new HttpError('BODY_TOO_LARGE_STREAMED'); // cut off past the limit
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return new HttpError('INVALID_JSON');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return new HttpError('UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH': return new HttpError('BAD_CONTENT_LENGTH');
  }
  if (error instanceof StoreUnavailableError) {
    log.warn({ err: error.cause }, 'store unavailable');
    return new HttpError('SERVICE_UNAVAILABLE');
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return new HttpError(e.statusCode === 404 ? 'NOT_FOUND' : 'BAD_REQUEST');
  log.error({ err: error }, 'unhandled error');
  return new HttpError('INTERNAL');
}

/** Node's parser refusals, answered on the raw socket (before any route is known). */
export function clientErrorOf(err: NodeJS.ErrnoException): HttpError {
  return new HttpError(err.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'REQUEST_TIMEOUT' : 'BAD_REQUEST');
}

/**
 * The log line of a failed response (status >= 400), written where error responses
 * are sent: above log level debug, the only request logs (see src/server/http-server.ts).
 */
export function logFailedRequest(req: FastifyRequest, status: number): void {
  if (status >= 400) requestLog(req).info({ req, res: { statusCode: status } }, 'request failed');
}

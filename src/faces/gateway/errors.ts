// The gateway's own failures (written in Moonraker's envelope, as every answer
// on the Moonraker listener): a request target it cannot make canonical, and
// an upstream that fails (never a 500).
import { CatalogueError } from '../../core/errors.js';

export const GATEWAY_ERRORS = {
  BAD_PATH: [400, 'Bad request path: {why}'],
  UPSTREAM_TIMEOUT: [504, 'Upstream Moonraker did not answer in time'],
  UPSTREAM_UNAVAILABLE: [503, 'Upstream Moonraker cannot be resolved'],
  UPSTREAM_UNREACHABLE: [502, 'Upstream Moonraker is unreachable'],
  UPSTREAM_BAD_RESPONSE: [502, 'Bad response from upstream Moonraker'],
  UPSTREAM_WS_CLOSED: [502, 'Upstream Moonraker closed the websocket'],
  METHOD_FORBIDDEN: [403, 'Forbidden: {method}'],
} as const satisfies Record<string, readonly [number, string]>;

export type GatewayCode = keyof typeof GATEWAY_ERRORS;

export class GatewayError extends CatalogueError<GatewayCode> {
  constructor(code: GatewayCode, params: Record<string, unknown> = {}) {
    super(code, params, GATEWAY_ERRORS[code]);
  }
}

/** The upstream's failure as the client gets it: 504 on a timeout, 502 otherwise (never a 500). */
export function upstreamFailure(error: unknown): GatewayError {
  const e = error as { code?: string; statusCode?: number; cause?: { code?: string } };
  const cause = e.cause?.code ?? e.code ?? '';
  if (/TIMEOUT|ETIMEDOUT/.test(cause) || e.statusCode === 504) return new GatewayError('UPSTREAM_TIMEOUT', { cause });
  if (cause === 'ENOTFOUND' || cause === 'EAI_AGAIN') return new GatewayError('UPSTREAM_UNAVAILABLE', { cause });
  if (/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED/.test(cause)) return new GatewayError('UPSTREAM_UNREACHABLE', { cause });
  return new GatewayError('UPSTREAM_BAD_RESPONSE', { cause });
}

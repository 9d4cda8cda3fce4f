// The Moonraker face's own failures, and its envelope for every error:
// `{"error": {"code": <status>, "message"}}` with that HTTP status (JSON-RPC:
// the status as the error code, see websocket/rpc.ts). Core errors are reported
// verbatim (their wording is Moonraker's); HTTP's own in HTTP_ERRORS' wording.
import type { FastifyBaseLogger } from 'fastify';
import { CatalogueError } from '../../core/errors.js';
import { toKnownError } from '../shared/http-errors.js';

export const MOONRAKER_ERRORS = {
  WS_ORIGIN: [403, 'Cross origin websockets not allowed'],
  WS_FULL: [503, 'Maximum Number of Websocket Connections Reached'],
  WS_IP_FULL: [429, 'Too many websocket connections from this address'],
  WS_IP_UNAUTHENTICATED: [429, 'Too many unauthenticated websocket connections from this address'],
  NOT_WEBSOCKET: [400, 'Can "Upgrade" only to "WebSocket".'],
  ALREADY_IDENTIFIED: [400, 'Connection already identified: {client}'],
  INVALID_CLIENT_TYPE: [400, 'Invalid Client Type: {type}'],
} as const satisfies Record<string, readonly [number, string]>;

export type MoonrakerCode = keyof typeof MOONRAKER_ERRORS;

export class MoonrakerError extends CatalogueError<MoonrakerCode> {
  constructor(code: MoonrakerCode, params: Record<string, unknown> = {}) {
    super(code, params, MOONRAKER_ERRORS[code]);
  }
}

/** Any catalogue's error is written as it is (the core's, HTTP's, this face's, the gateway's on this listener). */
const isCatalogueError = (e: unknown): e is CatalogueError<string> => e instanceof CatalogueError;

/** Any error as the face reports it: its status, its message, and the error's code (for logs and headers). */
export function moonrakerFailure(error: unknown, log: FastifyBaseLogger): { status: number; message: string; code: string } {
  const e = toKnownError(error, log, isCatalogueError);
  return { status: e.status, message: e.message, code: e.code };
}

export const moonrakerBody = (f: { status: number; message: string }) => JSON.stringify({ error: { code: f.status, message: f.message } });
export const MOONRAKER_JSON = 'application/json; charset=UTF-8';

/** The status and message of one of our errors (a JSON-RPC call reports those); undefined for anything else. */
export function knownFailure(error: unknown): { status: number; message: string } | undefined {
  return error instanceof CatalogueError ? error : undefined;
}

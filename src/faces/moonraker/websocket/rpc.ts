// JSON-RPC 2.0 as Moonraker speaks it (moonraker/common.py, class JsonRPC):
//   - text that is not JSON: -32700 "Parse error", id null;
//   - a batch (array) runs its entries one after another and answers with the
//     array of their answers; nothing at all when no entry has an answer (an
//     empty batch included);
//   - `jsonrpc` other than "2.0": -32600 "Invalid Request" (with the id);
//   - no `method` member: a response to a call of the server's, dropped (gatehouse makes none);
//   - `method` not a string: -32600; unknown: -32601 "Method not found";
//   - `params` present but not an object: -32602 "Invalid params:";
//   - a method needing auth on a connection that has none: -32602 "Unauthorized";
//   - the method's own errors: code = the HTTP status of the error, except
//     404 → -32601 and 401 → -32602; anything unexpected is 500;
//   - a notification (no id, or id null) gets no answer when it succeeds, but
//     its error is still sent, with id null.
// Deliberate differences:
//   - Moonraker fails on a message (or batch entry) that is valid JSON but not
//     an object (e.g. `5`, `[1]`) and answers nothing, dropping the whole batch;
//     gatehouse answers -32600 "Invalid Request" with id null for that entry, as
//     JSON-RPC 2.0 asks;
//   - Moonraker's max_login_attempts refusal is a tornado HTTPError, which its
//     dispatcher reports as 500 "HTTP 401: Unauthorized (...)"; here it is a
//     401 like every other, so -32602 with Moonraker's HTTP message;
//   - an unexpected failure is 500 "Internal Server Error", never the exception text.
import { knownFailure } from '../errors.js';
import type { Connection } from './connection.js';

export type RpcId = unknown;

export interface RpcError {
  jsonrpc: '2.0';
  error: { code: number; message: string };
  id: RpcId;
}

export interface RpcResult {
  jsonrpc: '2.0';
  result: unknown;
  id: RpcId;
}

export type RpcAnswer = RpcError | RpcResult;

/** A method callable over the socket (`name` and `id` as the request gave them: the gateway forwards any name). */
export interface RpcMethod {
  authRequired: boolean;
  call(conn: Connection, params: Record<string, unknown>, name: string, id: RpcId): Promise<unknown>;
}

/** An error answered by a JSON-RPC peer (the gateway's upstream): relayed to the client as it is. */
export class RemoteRpcError extends Error {
  constructor(readonly error: { code: number; message: string }) {
    super(String(error?.message));
  }
}

/** What the dispatcher needs from the hub. */
export interface RpcHost {
  method(name: string): RpcMethod | undefined;
  /** Is the connection authenticated now (not needing auth, identity still live)? */
  authed(conn: Connection): boolean;
  logError(err: unknown, method: string): void;
}

export const rpcError = (code: number, message: string, id: RpcId = null): RpcError => ({ jsonrpc: '2.0', error: { code, message }, id });
export const rpcResult = (result: unknown, id: RpcId): RpcResult => ({ jsonrpc: '2.0', result: result === undefined ? null : result, id });

export const PARSE_ERROR = JSON.stringify(rpcError(-32700, 'Parse error'));

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An error's status as Moonraker's execute_method reports it. */
export function rpcCodeOf(status: number): number {
  if (status === 404) return -32601;
  if (status === 401) return -32602;
  return status;
}

/** The id a request carries (null when absent), for answers to it. */
export const idOf = (obj: unknown): RpcId => (isPlainObject(obj) && obj.id !== undefined ? obj.id : null);

/** Runs one parsed message (an object or a batch); returns the text to send back, if any. */
export async function dispatch(host: RpcHost, conn: Connection, msg: unknown): Promise<string | undefined> {
  if (Array.isArray(msg)) {
    const answers: RpcAnswer[] = [];
    for (const item of msg) {
      const a = await processObject(host, conn, item);
      if (a) answers.push(a);
    }
    return answers.length ? JSON.stringify(answers) : undefined;
  }
  const a = await processObject(host, conn, msg);
  return a ? JSON.stringify(a) : undefined;
}

async function processObject(host: RpcHost, conn: Connection, obj: unknown): Promise<RpcAnswer | undefined> {
  if (!isPlainObject(obj)) return rpcError(-32600, 'Invalid Request');
  const id = obj.id === undefined ? null : obj.id;
  if (obj.jsonrpc !== '2.0') return rpcError(-32600, 'Invalid Request', id);
  if (!('method' in obj)) return undefined;
  const name = obj.method;
  if (typeof name !== 'string') return rpcError(-32600, 'Invalid Request', id);
  const method = host.method(name);
  if (!method) return rpcError(-32601, 'Method not found', id);
  let params: Record<string, unknown> = {};
  if ('params' in obj) {
    if (!isPlainObject(obj.params)) return rpcError(-32602, 'Invalid params:', id);
    params = obj.params;
  }
  let result: unknown;
  try {
    if (method.authRequired && !host.authed(conn)) return rpcError(-32602, 'Unauthorized', id);
    result = await method.call(conn, params, name, id);
  } catch (err) {
    if (err instanceof RemoteRpcError) return { jsonrpc: '2.0', error: err.error, id };
    const known = knownFailure(err);
    if (known) return rpcError(rpcCodeOf(known.status), known.message, id);
    host.logError(err, name);
    return rpcError(500, 'Internal Server Error', id);
  }
  return id === null ? undefined : rpcResult(result, id);
}

// The JSON-RPC method table: every /access endpoint under its `rpc` name (the
// same schema and handler the HTTP face serves), plus the two connection
// methods Moonraker's websocket manager registers (websockets.py):
// `server.connection.identify` (no auth needed) and `server.websocket.id`.
import { z } from 'zod';
import type { Core } from '../../../core/core.js';
import type { Identity } from '../../../core/model.js';
import { authenticate } from '../../../auth/run.js';
import { POLICIES } from '../../../auth/policies.js';
import { AuthRequest } from '../../../auth/request.js';
import { checkNeeded, scopeFor } from '../../../auth/scopes.js';
import { parseArgs, str } from '../../shared/args.js';
import { endpoints } from '../endpoints/index.js';
import { MoonrakerError } from '../errors.js';
import type { Connection } from './connection.js';
import type { Forwarder } from './forwarder.js';
import type { RpcMethod } from './rpc.js';

/** What the methods need from the hub. */
export interface MethodHost {
  core: Core;
  /** The connection's identity if it is still live, else null. */
  identityOf(conn: Connection): Identity | null;
  setIdentity(conn: Connection, identity: Identity | null): void;
  /** Gateway mode: the connection's upstream websocket. */
  forwarder?: Forwarder;
}

/** Moonraker's CLIENT_TYPES. */
export const CLIENT_TYPES = ['web', 'mobile', 'desktop', 'display', 'bot', 'agent', 'other'];

const identifyArgs = z.object({
  client_name: str(256),
  version: str(256),
  type: str(64),
  url: str(2048),
  access_token: str(8192).optional(),
  api_key: str(256).optional(),
});

/** Python's repr() of a str, for messages that quote Moonraker's dicts verbatim. */
function pyRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\' || ch === q) out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + q;
}

const pyDict = (d: Record<string, string>) => '{' + Object.entries(d).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ') + '}';

/**
 * websockets.py `_handle_identify`: once per connection; the credential is
 * checked (policies.ts, "moonraker identify") before the client type, as there
 * (so a bad type still leaves a good credential applied). Differences: an
 * access_token that does not verify is -32602 "JWT Decode Error" whatever the
 * reason; connection ids count up from 1 (Moonraker's are CPython object ids);
 * `agent` is accepted as a type, but there is no extension registry to refuse a
 * second agent of a name.
 */
function identify(host: MethodHost): RpcMethod {
  return {
    authRequired: false,
    async call(conn, params) {
      if (conn.clientData) throw new MoonrakerError('ALREADY_IDENTIFIED', { client: pyDict({ ...conn.clientData }) });
      const a = parseArgs(identifyArgs, params);
      const req = new AuthRequest({ ip: conn.ip, authRequired: true, identify: { accessToken: a.access_token, apiKey: a.api_key, current: host.identityOf(conn) } });
      host.setIdentity(conn, await authenticate(POLICIES.moonrakerIdentify, req, host.core));
      const type = a.type.toLowerCase();
      if (!CLIENT_TYPES.includes(type)) throw new MoonrakerError('INVALID_CLIENT_TYPE', { type });
      const client = { name: a.client_name, version: a.version, type, url: a.url };
      // Gateway mode: the upstream's connection_id is the one the client sees (it sends it back on HTTP requests, which go upstream).
      const result = host.forwarder ? await host.forwarder.identify(conn, client) : { connection_id: conn.id };
      const told = (result as { connection_id?: unknown } | null)?.connection_id;
      if (typeof told === 'number') conn.clientId = told;
      conn.clientData = client;
      return result;
    },
  };
}

export function buildMethods(host: MethodHost): Map<string, RpcMethod> {
  const { core } = host;
  const methods = new Map<string, RpcMethod>();
  for (const ep of endpoints) {
    const needed = scopeFor({ rpc: ep.rpc });
    methods.set(ep.rpc, {
      authRequired: ep.authRequired,
      async call(conn, params) {
        const identity = host.identityOf(conn);
        checkNeeded(core, identity, needed, ep.rpc, conn.ip);
        const args = parseArgs(ep.args, params);
        const result = await ep.handle({ core, identity, ip: conn.ip, transport: 'websocket', setConnectionIdentity: (id) => host.setIdentity(conn, id) }, args);
        // The API key this connection authenticated with was just replaced by
        // the connection itself: it holds the new key (the result), so it stays
        // authenticated; every other connection that used the old key loses it.
        if (ep.rpc === 'access.post_api_key' && identity?.kind === 'api_key') host.setIdentity(conn, core.verify.apiKeyIdentity());
        return result;
      },
    });
  }
  methods.set('server.connection.identify', identify(host));
  methods.set('server.websocket.id', { authRequired: true, call: async (conn) => ({ websocket_id: conn.id }) });
  return methods;
}

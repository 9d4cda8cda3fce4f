// The one check before the websocket gateway forwards a JSON-RPC call
// (src/faces/gateway/websocket.ts): may this identity call this upstream
// method? It runs after gatehouse has authenticated the connection (a call
// without a live identity never gets here) and before anything is sent
// upstream; a refusal answers 403 "Forbidden: <method>". Today every
// authenticated identity may call every method; per-key scopes plug in here.
// (server.connection.identify is gatehouse's and does not come here.) NB: the
// HTTP gateway forwards `POST /server/jsonrpc`, Moonraker's JSON-RPC over HTTP,
// which can carry any method without passing this check.
import type { Identity } from '../../core/model.js';

export function authorizeForward(_identity: Identity, _method: string): boolean {
  return true;
}

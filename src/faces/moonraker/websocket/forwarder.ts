// What the websocket needs from gateway mode (src/faces/gateway/websocket.ts):
// each connection's own upstream websocket. Without a gateway there is none,
// and gatehouse answers every method itself.
import type { ClientData, Connection } from './connection.js';
import type { RpcId } from './rpc.js';

export interface Forwarder {
  /** The connection is authenticated now: open its upstream websocket, unless it has one (or one opening). */
  open(conn: Connection): void;
  /** A method gatehouse does not answer, called by an authenticated connection: its upstream's answer (a RemoteRpcError for an error answer). */
  call(conn: Connection, method: string, params: Record<string, unknown>, id: RpcId): Promise<unknown>;
  /** server.connection.identify, once gatehouse has authenticated it: identifies the connection upstream; the upstream's answer (its connection_id). */
  identify(conn: Connection, client: ClientData): Promise<unknown>;
  /** The connection closed: its upstream websocket closes too. */
  closed(conn: Connection): void;
}

/** Methods gatehouse answers itself in gateway mode; every other goes upstream. */
export const answeredByGatehouse = (name: string) => name.startsWith('access.') || name === 'server.connection.identify';

// Moonraker's user notifications to the open websockets, and a logged-out
// socket's fallback to its address's trust (issue 16, point 5).
import type { Identity } from '../../../core/model.js';
import { CoreError } from '../../../core/errors.js';
import { authenticate } from '../../../auth/run.js';
import { POLICIES } from '../../../auth/policies.js';
import { AuthRequest } from '../../../auth/request.js';
import type { Connection } from './connection.js';
import type { WebsocketHub } from './hub.js';

/**
 * Moonraker's notify_clients: every connection that does not need auth gets
 * `{"jsonrpc":"2.0","method":…,"params":[{"username":…}]}`. For a logout or a
 * deletion ("logout" events in Moonraker) the user's own connections get it
 * too, and then lose their authentication (falling back to their address's
 * trust, if it is trusted: fallBackToTrust). Sending waits for the current turn
 * of the event loop, so the answer to the request that caused the event goes
 * out first (Moonraker delays these events by 5 ms).
 */
export function notifyClients(hub: WebsocketHub, method: string, username: string, logoutUserId?: number): void {
  const frame = Buffer.from(JSON.stringify({ jsonrpc: '2.0', method, params: [{ username }] }));
  const targets: Connection[] = [];
  const loggedOut: Connection[] = [];
  for (const conn of hub.conns.values()) {
    const own = logoutUserId !== undefined && conn.identity?.userId === logoutUserId;
    if (own ? !conn.needAuth : hub.authed(conn)) targets.push(conn);
    if (own) {
      conn.setIdentity(null);
      loggedOut.push(conn);
    }
  }
  const send = () => { for (const conn of targets) hub.send(conn, frame); };
  if (!loggedOut.length || hub.core.trusted.empty) {
    if (targets.length) setImmediate(send);
    return;
  }
  // The notification goes out once the sockets' fallback is settled, so a client's next call sees it.
  Promise.all(loggedOut.map((conn) => fallBackToTrust(hub, conn))).then(() => setImmediate(send), (err) => hub.logError(err, '(logout fallback)'));
}

/**
 * A socket whose user logged out (or was deleted) becomes its address's trusted
 * user again, if the address is trusted and force_logins does not stop it
 * (policies.ts, "moonraker logout fallback"); otherwise it stays needing auth.
 */
async function fallBackToTrust(hub: WebsocketHub, conn: Connection): Promise<void> {
  let identity: Identity | null = null;
  try {
    identity = await authenticate(POLICIES.moonrakerLogoutFallback, new AuthRequest({ ip: conn.ip, authRequired: true }), hub.core);
  } catch (err) {
    if (!(err instanceof CoreError)) throw err;
  }
  // Unless the socket authenticated again meanwhile (a login on it).
  if (identity && conn.needAuth && conn.identity === null) hub.setIdentity(conn, identity);
}

// Every open websocket connection of this instance: admission (rate limit,
// in-flight cap), dispatch, notifications on core events, liveness of
// identities, keep-alive pings and shutdown.
import { performance } from 'node:perf_hooks';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import type { Core } from '../../../core/core.js';
import type { Identity } from '../../../core/model.js';
import type { Config } from '../../../config/schema.js';
import { Admission } from './admission.js';
import { Connection, CLOSE, REJECT } from './connection.js';
import { answeredByGatehouse, type Forwarder } from './forwarder.js';
import { buildMethods } from './methods.js';
import { notifyClients } from './notify.js';
import { dispatch, idOf, PARSE_ERROR, rpcError, type RpcHost, type RpcMethod } from './rpc.js';

const OPEN = 1;
const kConn = Symbol('gatehouse.connection');
type TaggedSocket = WebSocket & { [kConn]?: Connection };

/** JSON-RPC error for a message refused by the rate limit (the HTTP status, as Moonraker codes its errors). */
const RATE_LIMITED = (id: unknown) => rpcError(429, 'Too Many Requests', id);

export const CLOSE_NORMAL = 1000;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_POLICY = 1008;
export const CLOSE_TRY_AGAIN_LATER = 1013;

export class WebsocketHub implements RpcHost {
  readonly conns = new Map<number, Connection>();
  private nextId = 1;
  private methods: Map<string, RpcMethod>;
  private pingTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private apiKeyShared: { key: string; identity: Identity } | undefined;
  private closing = false;
  private unsubscribe: () => void;

  readonly limits: Config['limits'];
  readonly admission: Admission;
  /** Gateway mode: every method gatehouse does not answer goes to the connection's upstream websocket. */
  private forwardMethod: RpcMethod | undefined;

  constructor(readonly core: Core, readonly log: FastifyBaseLogger, readonly forwarder?: Forwarder) {
    this.limits = core.config.limits;
    this.admission = new Admission(this.limits);
    this.methods = buildMethods(this);
    if (forwarder) this.forwardMethod = { authRequired: true, call: (conn, params, name, id) => forwarder.call(conn, name, params, id) };
    const ev = core.events;
    const created = ({ username }: { username: string }) => this.notify('notify_user_created', username);
    const deleted = ({ username, userId }: { username: string; userId: number }) => this.notify('notify_user_deleted', username, userId);
    const loggedOut = ({ username, userId }: { username: string; userId: number }) => this.notify('notify_user_logged_out', username, userId);
    ev.on('user_created', created);
    ev.on('user_deleted', deleted);
    ev.on('user_logged_out', loggedOut);
    this.unsubscribe = () => {
      ev.off('user_created', created);
      ev.off('user_deleted', deleted);
      ev.off('user_logged_out', loggedOut);
    };
    if (this.limits.ws_ping_interval_ms > 0) {
      this.pingTimer = setInterval(() => this.pingAll(), this.limits.ws_ping_interval_ms);
      this.pingTimer.unref();
    }
    const deadlineMs = this.limits.ws_auth_timeout_seconds * 1000;
    if (deadlineMs > 0) {
      this.deadlineTimer = setInterval(() => this.closeOverdue(), Math.max(250, Math.min(1000, deadlineMs / 2)));
      this.deadlineTimer.unref();
    }
  }

  get size() { return this.conns.size; }

  /** The connection a client names by the connection_id it was told (HTTP `?connection_id=`): in gateway mode, the upstream's. */
  byClientId(id: number): Connection | undefined {
    if (!this.forwarder) return this.conns.get(id);
    for (const conn of this.conns.values()) if (conn.clientId === id && conn.clientData) return conn;
    return undefined;
  }

  /** Why an upgrade from `ip` is refused now (a code of the face's catalogue), or undefined. */
  refusal(ip: string, authenticated: boolean) { return this.admission.refusal(ip, authenticated, this.conns.size); }

  // ---- identities ------------------------------------------------------

  /**
   * One Identity object for everyone authenticated by the current API key:
   * saves memory per connection, and replacing the key (POST /access/api_key,
   * here or on another instance) makes the old object stale, so connections
   * that authenticated with the old key lose their authentication.
   */
  private apiKeyIdentity(): Identity {
    const key = this.core.apiKey.get();
    if (this.apiKeyShared?.key !== key) this.apiKeyShared = { key, identity: this.core.verify.apiKeyIdentity() };
    return this.apiKeyShared.identity;
  }

  private isLive(id: Identity): boolean {
    if (!this.core.verify.isLive(id)) return false;
    return id.kind !== 'api_key' || id === this.apiKeyIdentity();
  }

  /** The connection's identity while it is live: its user exists, its login family is not revoked, its API key is current. */
  identityOf(conn: Connection): Identity | null {
    if (conn.needAuth || conn.identity === null) return null;
    return this.isLive(conn.identity) ? conn.identity : null;
  }

  authed(conn: Connection): boolean {
    return !conn.needAuth && (conn.identity === null || this.isLive(conn.identity));
  }

  setIdentity(conn: Connection, identity: Identity | null): void {
    conn.setIdentity(identity?.kind === 'api_key' ? this.apiKeyIdentity() : identity);
    // (accept() opens the upstream of a connection authenticated by its upgrade, once it keeps it.)
    if (identity && this.forwarder && this.conns.has(conn.id)) this.forwarder.open(conn);
  }

  method(name: string): RpcMethod | undefined {
    if (this.forwardMethod && !answeredByGatehouse(name)) return this.forwardMethod;
    return this.methods.get(name);
  }

  logError(err: unknown, method: string): void {
    this.log.error({ err, method }, 'websocket request failed');
  }

  // ---- connections -----------------------------------------------------

  /** Takes over an upgraded socket. `identity` is what the upgrade request proved (null: it must identify). */
  accept(ws: WebSocket, ip: string, identity: Identity | null): Connection {
    const conn = new Connection(this, ws, this.nextId++, ip, this.limits.ws_burst, performance.now());
    this.setIdentity(conn, identity);
    (ws as TaggedSocket)[kConn] = conn;
    this.conns.set(conn.id, conn);
    const overIpCap = this.admission.add(conn);
    // Shared listeners (no per-connection closures); `this` is the socket.
    ws.on('message', onMessage);
    ws.on('pong', onPong);
    ws.on('close', onClose);
    ws.on('error', onError);
    if (this.closing) ws.close(CLOSE_GOING_AWAY, 'Server Shutdown');
    // Upgrades checked against maxConnections at the same moment may overshoot it: the last ones are sent away.
    else if (this.conns.size > this.admission.maxConnections) ws.close(CLOSE_TRY_AGAIN_LATER, 'Maximum Number of Websocket Connections Reached');
    else if (overIpCap) ws.close(CLOSE_POLICY, 'Too many websocket connections from this address');
    else if (identity && this.forwarder) this.forwarder.open(conn);
    return conn;
  }

  /** @internal */
  removed(conn: Connection): void {
    this.conns.delete(conn.id);
    this.admission.remove(conn);
    this.forwarder?.closed(conn);
    if (this.closing && this.conns.size === 0) this.drained?.();
  }

  /** Sends text, or a prepared frame payload, unless the client stopped reading: then it is dropped. */
  send(conn: Connection, data: string | Buffer): void {
    const ws = conn.ws;
    if (ws.readyState !== OPEN) return;
    if (ws.bufferedAmount > this.limits.ws_max_buffered_bytes) {
      this.log.info({ connection: conn.id, buffered: ws.bufferedAmount }, 'websocket client not reading; dropped');
      ws.terminate();
      return;
    }
    ws.send(data, { binary: false });
  }

  /** @internal one incoming message */
  onMessage(conn: Connection, data: Buffer | ArrayBuffer | Buffer[]): void {
    const ws = conn.ws;
    if (ws.readyState !== OPEN) return;
    conn.alive = true;
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    let msg: unknown;
    let parsed = true;
    try {
      msg = JSON.parse(text);
    } catch {
      parsed = false;
    }
    const cost = parsed && Array.isArray(msg) ? Math.max(1, msg.length) : 1;
    const verdict = conn.admit(cost, performance.now(), this.limits.ws_messages_per_second, this.limits.ws_burst);
    if (verdict === CLOSE) {
      this.log.info({ connection: conn.id, ip: conn.ip }, 'websocket client over its message rate; closed');
      this.closeThenCut(conn, CLOSE_POLICY, 'Rate limit exceeded');
      return;
    }
    if (verdict === REJECT) {
      const answer = Array.isArray(msg) ? msg.map((m) => RATE_LIMITED(idOf(m))) : RATE_LIMITED(idOf(msg));
      this.send(conn, JSON.stringify(answer));
      return;
    }
    if (!parsed) {
      this.send(conn, PARSE_ERROR);
      return;
    }
    if (++conn.inflight - conn.upstreamWaits >= this.limits.ws_max_in_flight) ws.pause();
    dispatch(this, conn, msg).then(
      (out) => { if (out !== undefined) this.send(conn, out); },
      (err) => this.logError(err, '(dispatch)'),
    ).finally(() => {
      conn.inflight--;
      this.resumeIfFree(conn);
    });
  }

  /**
   * Reads the connection's messages again once fewer than ws_max_in_flight of
   * its requests hold a slot. A forwarded call waiting on the upstream holds
   * none (src/faces/gateway/websocket.ts): a G-code that waits minutes for a
   * heater must not stop the socket, its pongs included.
   */
  resumeIfFree(conn: Connection): void {
    const ws = conn.ws;
    if (conn.inflight - conn.upstreamWaits < this.limits.ws_max_in_flight && ws.isPaused && ws.readyState === OPEN) ws.resume();
  }

  /** Sends a close; a peer that does not complete the close handshake within closeGraceMs is cut off. */
  closeThenCut(conn: Connection, code: number, reason: string): void {
    conn.ws.close(code, reason);
    setTimeout(() => conn.ws.terminate(), this.limits.ws_close_grace_ms).unref();
  }

  // ---- notifications ---------------------------------------------------

  /** Moonraker's notify_clients (notify.ts). */
  notify(method: string, username: string, logoutUserId?: number): void {
    notifyClients(this, method, username, logoutUserId);
  }

  // ---- keep-alive and shutdown -----------------------------------------

  /**
   * A peer that has not answered the previous ping is closed as Tornado does
   * (1000 "ping timed out"); if it is dead and cannot complete the close, its
   * socket is destroyed closeGraceMs later.
   */
  private pingAll(): void {
    for (const conn of this.conns.values()) {
      if (!conn.alive) {
        this.log.debug({ connection: conn.id }, 'websocket peer did not answer ping; closing');
        if (conn.ws.readyState === OPEN) this.closeThenCut(conn, CLOSE_NORMAL, 'ping timed out');
        else conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      if (conn.ws.readyState === OPEN) conn.ws.ping();
    }
  }

  /** Closes connections that stayed unauthenticated past ws_auth_timeout_seconds (1008). */
  private closeOverdue(): void {
    for (const c of [...this.admission.overdue(performance.now())]) {
      const conn = c as Connection;
      this.admission.unauthenticated.delete(conn); // closed once
      if (conn.ws.readyState === OPEN) this.closeThenCut(conn, CLOSE_POLICY, 'Authentication timeout');
    }
  }

  private drained: (() => void) | undefined;

  /** Server shutdown: every client gets 1001 "Server Shutdown"; those that have not closed within closeGraceMs are cut off. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.pingTimer);
    clearInterval(this.deadlineTimer);
    this.unsubscribe();
    if (this.conns.size === 0) return;
    const done = new Promise<void>((resolve) => { this.drained = resolve; });
    for (const conn of this.conns.values()) conn.ws.close(CLOSE_GOING_AWAY, 'Server Shutdown');
    const timer = setTimeout(() => { for (const conn of this.conns.values()) conn.ws.terminate(); }, this.limits.ws_close_grace_ms);
    await done;
    clearTimeout(timer);
  }
}

function onMessage(this: TaggedSocket, data: Buffer | ArrayBuffer | Buffer[]) {
  const conn = this[kConn];
  if (conn) conn.hub.onMessage(conn, data);
}
function onPong(this: TaggedSocket) {
  const conn = this[kConn];
  if (conn) conn.alive = true;
}
function onClose(this: TaggedSocket) {
  const conn = this[kConn];
  if (conn) conn.hub.removed(conn);
}
function onError(this: TaggedSocket, err: Error) {
  // ws closes the connection itself (1009 for an oversized message, 1002/1007 for protocol errors).
  const conn = this[kConn];
  conn?.hub.log.debug({ connection: conn.id, err: err.message }, 'websocket error');
}

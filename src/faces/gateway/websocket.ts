// The websocket gateway (docs/gateway.md): each client connection on
// /websocket gets its own websocket to the upstream Moonraker, opened as soon
// as gatehouse has authenticated the connection (at the upgrade, or by identify
// or access.login later), so the upstream's notifications reach it from the
// start, and a connection that never authenticates costs the upstream nothing.
//
// Calls are forwarded under ids of gatehouse's own (the client's may be any
// JSON value, and gatehouse's identify shares the socket); the answer goes back
// with the client's id, an error answer exactly as the upstream gave it.
// Notifications from the upstream are relayed as they arrived, to a connection
// that is authenticated at that moment only (as Moonraker notifies none that
// needs auth).
//
// When an upstream websocket that was open closes (Moonraker restarting), the
// calls waiting on it get a JSON-RPC error and the client's connection is
// closed with the upstream's close code: its subscriptions and identification
// lived upstream and are gone, so the client must connect again, as it does
// when Moonraker itself restarts. An upstream that cannot be reached leaves
// the client connected: each forwarded call tries again, and fails with a
// clear error until the upstream is back.
import WebSocket from 'ws';
import type { Core } from '../../core/core.js';
import type { ClientData, Connection } from '../moonraker/websocket/connection.js';
import type { Forwarder } from '../moonraker/websocket/forwarder.js';
import { RemoteRpcError, type RpcId } from '../moonraker/websocket/rpc.js';
import { GatewayError, upstreamFailure } from './errors.js';
import { checkScope } from '../../auth/scopes.js';
import { sourceAddressToward } from './upstream.js';

interface Pending { resolve(result: unknown): void; reject(err: unknown): void }

/** One client connection's upstream websocket. */
class UpstreamLink {
  readonly pending = new Map<number, Pending>();
  nextId = 1;
  opened = false;
  /** Cleared at each ping, set by the pong or any message (an upstream host gone without a word is found). */
  alive = true;
  /** Gatehouse closed it (the client went away): nothing to tell the client. */
  ended = false;
  /** Why it could not open, once known. */
  failure: GatewayError | undefined;
  ready!: Promise<void>;
  constructor(readonly ws: WebSocket) {}
}

/** Close codes an endpoint may send (RFC 6455 §7.4; 1004–1006 and 1015 are never sent). */
const sendable = (code: number) => (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
const CLOSE_SERVICE_RESTART = 1012;
/** Forwarded calls of one connection that may wait on the upstream without holding an in-flight slot; past it they hold one (memory stays bounded). */
const MAX_UPSTREAM_WAITS = 256;
/** Moonraker writes notifications with these members first (msgspec or json, compact): relayed without parsing. */
const NOTIFICATION_PREFIX = '{"jsonrpc":"2.0","method":';

/** A failure to open: ws reports a handshake timeout and an HTTP answer other than 101 without an error code. */
function openFailure(err: Error & { code?: string }): GatewayError {
  if (err.code) return upstreamFailure(err);
  if (/timed out/.test(err.message)) return new GatewayError('UPSTREAM_TIMEOUT', { cause: err.message });
  return new GatewayError('UPSTREAM_BAD_RESPONSE', { cause: err.message });
}

export class WebsocketGateway implements Forwarder {
  private readonly links = new WeakMap<Connection, UpstreamLink>();
  private readonly url: string;
  /** The last attempt to open an upstream websocket failed: further failures are logged at debug level only, until one opens. */
  private down = false;
  /** Open upstream websockets, pinged every ws_ping_interval_ms while there are any. */
  private readonly live = new Set<UpstreamLink>();
  private pingTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly core: Core, private readonly sourceAddress: string | undefined) {
    const u = new URL(core.config.gateway.moonraker_upstream!);
    this.url = `${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}/websocket`;
  }

  static async create(core: Core): Promise<WebsocketGateway> {
    return new WebsocketGateway(core, await sourceAddressToward(core.config.gateway.moonraker_upstream!));
  }

  open(conn: Connection): void {
    if (!this.links.has(conn) && conn.ws.readyState === WebSocket.OPEN) this.connect(conn);
  }

  async call(conn: Connection, method: string, params: Record<string, unknown>, id: RpcId): Promise<unknown> {
    // The dispatcher let only an authenticated connection through (its identity live now).
    const identity = conn.hub.identityOf(conn);
    if (!identity) throw new GatewayError('METHOD_FORBIDDEN', { method });
    // What the identity may call (src/auth/scopes.ts, the one rule table): a refusal is a 403 and never goes upstream.
    checkScope(this.core, identity, { rpc: method, args: params }, conn.ip);
    return this.request(conn, method, params, id === null);
  }

  identify(conn: Connection, client: ClientData): Promise<unknown> {
    return this.request(conn, 'server.connection.identify', { client_name: client.name, version: client.version, type: client.type, url: client.url }, false);
  }

  closed(conn: Connection): void {
    const link = this.links.get(conn);
    if (!link) return;
    this.links.delete(conn);
    link.ended = true;
    if (link.ws.readyState === WebSocket.OPEN) link.ws.close(1000);
    else link.ws.terminate();
  }

  /** Sends a call upstream (opening the websocket if there is none); a notification (no id) is not answered. */
  private async request(conn: Connection, method: string, params: Record<string, unknown>, notification: boolean): Promise<unknown> {
    // A client gone (a batch still running after it closed) gets no new upstream websocket: nothing would ever close it.
    if (conn.ws.readyState !== WebSocket.OPEN) throw new GatewayError('UPSTREAM_WS_CLOSED');
    const link = this.links.get(conn) ?? this.connect(conn);
    await link.ready;
    if (link.ws.readyState !== WebSocket.OPEN) throw new GatewayError('UPSTREAM_WS_CLOSED');
    const msg: { jsonrpc: '2.0'; method: string; params?: Record<string, unknown>; id?: number } = { jsonrpc: '2.0', method };
    for (const _ in params) {
      msg.params = params;
      break;
    }
    if (notification) return void link.ws.send(JSON.stringify(msg));
    const gid = (msg.id = link.nextId++);
    const answer = new Promise((resolve, reject) => {
      link.pending.set(gid, { resolve, reject });
      link.ws.send(JSON.stringify(msg));
    });
    if (conn.upstreamWaits >= MAX_UPSTREAM_WAITS) return answer;
    conn.upstreamWaits++;
    conn.hub.resumeIfFree(conn);
    try {
      return await answer;
    } finally {
      conn.upstreamWaits--;
    }
  }

  private connect(conn: Connection): UpstreamLink {
    // As the HTTP gateway: the upstream (Tornado, xheaders) takes X-Real-Ip as the peer, gatehouse's own address, which it trusts.
    const headers: Record<string, string> = { 'x-forwarded-for': conn.ip };
    if (this.sourceAddress) headers['x-real-ip'] = this.sourceAddress;
    const ws = new WebSocket(this.url, { headers, perMessageDeflate: false, handshakeTimeout: this.core.config.gateway.upstream_connect_timeout * 1000 });
    const link = new UpstreamLink(ws);
    this.links.set(conn, link);
    link.ready = new Promise<void>((resolve, reject) => {
      ws.once('open', () => {
        link.opened = true;
        this.watch(link);
        if (this.down) conn.hub.log.info({ upstream: this.url }, 'gateway: upstream websocket reachable again');
        this.down = false;
        resolve();
      });
      ws.once('close', () => reject(link.failure ?? new GatewayError('UPSTREAM_UNREACHABLE', { cause: 'closed' })));
    });
    link.ready.catch(() => {}); // a link opened ahead of any call may fail unobserved
    ws.on('error', (err) => {
      link.failure ??= openFailure(err);
      conn.hub.log.debug({ connection: conn.id, err: err.message }, 'gateway: upstream websocket error');
    });
    ws.on('message', (data) => {
      link.alive = true;
      this.fromUpstream(conn, link, String(data));
    });
    ws.on('pong', () => { link.alive = true; });
    ws.on('close', (code, reason) => this.upstreamClosed(conn, link, code, String(reason)));
    return link;
  }

  private fromUpstream(conn: Connection, link: UpstreamLink, text: string): void {
    if (text.startsWith(NOTIFICATION_PREFIX)) return this.relay(conn, text);
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return; // not JSON: nothing to relay
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return;
    const m = msg as { method?: unknown; id?: unknown; error?: { code: number; message: string }; result?: unknown };
    if (typeof m.method === 'string') return this.relay(conn, text);
    const p = typeof m.id === 'number' ? link.pending.get(m.id) : undefined;
    if (p) {
      link.pending.delete(m.id as number);
      if (m.error !== undefined) p.reject(new RemoteRpcError(m.error));
      else p.resolve(m.result);
    } else if (m.id === null && m.error !== undefined) {
      this.relay(conn, text); // the upstream's error for a notification the client sent
    }
  }

  /** To the client, if it is authenticated now. */
  private relay(conn: Connection, text: string): void {
    if (conn.hub.authed(conn)) conn.hub.send(conn, text);
  }

  /** Pings every open upstream websocket as the hub pings clients: one that did not answer the previous ping is cut off (then closed as any other). */
  private watch(link: UpstreamLink): void {
    const interval = this.core.config.limits.ws_ping_interval_ms;
    if (interval <= 0) return;
    this.live.add(link);
    this.pingTimer ??= setInterval(() => {
      for (const l of this.live) {
        if (!l.alive) l.ws.terminate();
        else {
          l.alive = false;
          l.ws.ping();
        }
      }
    }, interval).unref();
  }

  private upstreamClosed(conn: Connection, link: UpstreamLink, code: number, reason: string): void {
    this.live.delete(link);
    if (this.live.size === 0 && this.pingTimer) {
      clearInterval(this.pingTimer);
      this.pingTimer = undefined;
    }
    if (this.links.get(conn) === link) this.links.delete(conn);
    const err = link.opened ? new GatewayError('UPSTREAM_WS_CLOSED') : (link.failure ?? new GatewayError('UPSTREAM_UNREACHABLE', { cause: 'closed' }));
    for (const p of link.pending.values()) p.reject(err);
    link.pending.clear();
    if (!link.opened && !link.ended) {
      // One warning per outage, not one per call of every client retrying.
      conn.hub.log[this.down ? 'debug' : 'warn']({ connection: conn.id, upstream: this.url, cause: err.params.cause ?? err.message }, 'gateway: upstream websocket failed to open');
      this.down = true;
    }
    if (link.ended || !link.opened) return;
    conn.hub.log.info({ connection: conn.id, code, reason }, 'gateway: upstream websocket closed; closing the client');
    // After the errors for the waiting calls (their answers are sent as the rejections settle, before this turn ends).
    setImmediate(() => conn.hub.closeThenCut(conn, sendable(code) ? code : CLOSE_SERVICE_RESTART, sendable(code) ? reason : 'Upstream Moonraker closed the websocket'));
  }
}

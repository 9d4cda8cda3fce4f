// A recording stand-in for Moonraker, for the gateway tests: HTTP routes of
// Moonraker's shape and a JSON-RPC websocket on /websocket, on a free
// loopback port. It records every request and call it receives, so a test
// can assert what reached it and what did not. Bodies are hashed as they
// stream (never held), so uploads of hundreds of MB cost no memory.
//
// HTTP:
//   GET  /server/info                      {"result": {klippy_state, ...}}
//   GET  /printer/objects/query?<objects>  {"result": {eventtime, status}}
//   GET  /server/echo (any method)         {"result": {method, url, headers, bodyBytes}}: what arrived
//   POST /server/files/upload              multipart or raw: {"result": {item, action, bytes, sha256}}
//   GET  /server/files/download/<n>.bin    n bytes of a fixed pattern (see patternBytes), streamed
//   GET  /server/status/<code>             that status, Moonraker's error envelope, and X-Upstream-* headers
//   GET  /server/hang                      never answers (timeouts)
//   GET  /server/reset                     destroys the socket before answering
//   anything else                          404 {"error": {"code": 404, "message": "Not Found"}}
// Websocket /websocket, JSON-RPC 2.0:
//   server.connection.identify → {connection_id}; server.websocket.id → {websocket_id};
//   server.info → as GET /server/info; printer.objects.query / subscribe → {eventtime, status};
//   test.hang → never answered; other methods → error -32601 "Method not found".
//   As Moonraker: a call without an id (or id null) gets no answer when it succeeds, its error has id null.
//   notifyStatusUpdate() pushes notify_status_update to every connection.
// down() is Moonraker stopping (its websockets closed with 1001 "Server Shutdown",
// the port closed); up() listens on the same port again.
import http from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface SeenRequest {
  method: string;
  /** The request target exactly as it arrived. */
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The raw header lines, names as sent. */
  rawHeaders: string[];
  remoteAddress: string;
  bodyBytes: number;
  sha256: string;
}

export interface SeenCall {
  connectionId: number;
  method: string;
  params: unknown;
  id: unknown;
}

export interface SeenSocket {
  connectionId: number;
  url: string;
  headers: http.IncomingHttpHeaders;
  remoteAddress: string;
}

export interface RecordingUpstream {
  port: number;
  origin: string;
  requests: SeenRequest[];
  calls: SeenCall[];
  sockets: SeenSocket[];
  /** Pushes notify_status_update (params [status, eventtime]) to every open websocket; returns how many got it. */
  notifyStatusUpdate(status: Record<string, unknown>): number;
  /** Forgets what was recorded. */
  clear(): void;
  /** Stops as Moonraker does: every websocket closed with 1001 "Server Shutdown", then the listener closed (the port is kept for up()). */
  down(): Promise<void>;
  /** Listens on the same port again. */
  up(): Promise<void>;
  close(): Promise<void>;
}

const SERVER_INFO = {
  klippy_connected: true, klippy_state: 'ready', components: ['server', 'file_manager', 'machine'],
  failed_components: [], registered_directories: ['config', 'gcodes'], warnings: [],
  websocket_count: 0, moonraker_version: 'v0.9.3-recording-upstream', api_version: [1, 5, 0], api_version_string: '1.5.0',
};

const STATUS = { toolhead: { position: [0, 0, 0, 0], status: 'Ready' }, extruder: { temperature: 21.5, target: 0 } };

/** Byte i of a download: a fixed pattern, so a test can check content without the upstream storing it. */
export const patternByte = (i: number) => (i * 31 + 7) & 0xff;

export function patternBytes(start: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = patternByte(start + i);
  return b;
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
};

export async function startUpstream(): Promise<RecordingUpstream> {
  const requests: SeenRequest[] = [];
  const calls: SeenCall[] = [];
  const sockets: SeenSocket[] = [];
  const open = new Set<WebSocket>();
  let nextConnection = 1000;

  const server = http.createServer((req, res) => {
    const hash = createHash('sha256');
    let bytes = 0;
    const seen: SeenRequest = {
      method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders,
      remoteAddress: req.socket.remoteAddress ?? '', bodyBytes: 0, sha256: '',
    };
    const path = req.url!.split('?')[0]!;
    if (path === '/server/reset') {
      requests.push(seen);
      req.socket.destroy();
      return;
    }
    if (path === '/server/hang') {
      requests.push(seen);
      return; // never answered: the test's gatehouse times out
    }
    req.on('data', (chunk: Buffer) => { bytes += chunk.length; hash.update(chunk); });
    req.on('end', () => {
      seen.bodyBytes = bytes;
      seen.sha256 = hash.digest('hex');
      requests.push(seen);
      const m = /^\/server\/status\/(\d{3})$/.exec(path);
      if (m) {
        const code = Number(m[1]);
        return json(res, code, { error: { code, message: `status ${code} from upstream` } }, {
          'X-Upstream-Header': 'kept', 'Set-Cookie': 'upstream_cookie=1; Path=/', 'Cache-Control': 'max-age=60', 'Keep-Alive': 'timeout=5',
        });
      }
      const d = /^\/server\/files\/download\/(\d+)\.bin$/.exec(path);
      const get = req.method === 'GET' || req.method === 'HEAD';
      if (d && get) return download(res, Number(d[1]));
      if (path === '/server/info' && get) return json(res, 200, { result: SERVER_INFO });
      if (path === '/printer/objects/query' && get) return json(res, 200, { result: { eventtime: 1234.5, status: STATUS } });
      if (path === '/server/echo') return json(res, 200, { result: { method: req.method, url: req.url, headers: req.headers, bodyBytes: bytes } });
      if (path === '/server/files/upload' && req.method === 'POST') {
        return json(res, 201, { result: { item: { path: 'upload.gcode', root: 'gcodes' }, action: 'create_file', bytes, sha256: seen.sha256 } });
      }
      json(res, 404, { error: { code: 404, message: 'Not Found' } });
    });
  });

  const download = (res: http.ServerResponse, size: number) => {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size, 'Content-Disposition': 'attachment; filename="download.bin"' });
    let sent = 0;
    const CHUNK = 1 << 16;
    const pump = () => {
      while (sent < size) {
        const n = Math.min(CHUNK, size - sent);
        const ok = res.write(patternBytes(sent, n));
        sent += n;
        if (!ok) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  };

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (req.url?.split('?')[0] !== '/websocket') return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connectionId = nextConnection++;
      sockets.push({ connectionId, url: req.url!, headers: req.headers, remoteAddress: req.socket.remoteAddress ?? '' });
      open.add(ws);
      ws.on('close', () => open.delete(ws));
      ws.on('message', (data) => {
        let msg: { method?: unknown; params?: unknown; id?: unknown };
        try {
          msg = JSON.parse(String(data));
        } catch {
          return ws.send(JSON.stringify({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null }));
        }
        const method = String(msg.method);
        calls.push({ connectionId, method, params: msg.params, id: msg.id });
        const id = msg.id ?? null;
        const reply = (result: unknown) => { if (id !== null) ws.send(JSON.stringify({ jsonrpc: '2.0', result, id })); };
        switch (method) {
          case 'server.connection.identify': return reply({ connection_id: connectionId });
          case 'server.websocket.id': return reply({ websocket_id: connectionId });
          case 'server.info': return reply({ ...SERVER_INFO, websocket_count: open.size });
          case 'printer.objects.query':
          case 'printer.objects.subscribe': return reply({ eventtime: 1234.5, status: STATUS });
          case 'test.hang': return;
          default: return ws.send(JSON.stringify({ jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id }));
        }
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port, origin: `http://127.0.0.1:${port}`, requests, calls, sockets,
    notifyStatusUpdate(status) {
      const text = JSON.stringify({ jsonrpc: '2.0', method: 'notify_status_update', params: [status, 1235.5] });
      for (const ws of open) ws.send(text);
      return open.size;
    },
    clear() { requests.length = 0; calls.length = 0; sockets.length = 0; },
    async down() {
      const closing = [...open].map((ws) => new Promise<void>((resolve) => { ws.once('close', () => resolve()); ws.close(1001, 'Server Shutdown'); }));
      await Promise.all(closing);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async up() {
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    async close() {
      for (const ws of open) ws.terminate();
      wss.close();
      server.closeAllConnections();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

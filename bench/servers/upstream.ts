// A stand-in upstream Moonraker for the gateway scenario (7a): node:http,
// answering GET /server/info with a Moonraker-shaped body after spending
// argv[2] µs of CPU (default 150) on the event loop, as Moonraker would: on
// this kind of machine it serves a GET at 0.08–0.12 × a bare node:http server
// (/work/shared/notes/baselines.md), ~150–200 µs of CPU each. 0 answers at once.
// Its websocket (/websocket, scenario 7c) answers every JSON-RPC call with the
// same body's result, after the same CPU.
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { childReady } from '../lib/child.js';

const spinUs = Number(process.argv[2] ?? 150);
/** Busy for `us` µs: Moonraker's per-request work, on the one thread it has. */
function spin(us: number) {
  const end = process.hrtime.bigint() + BigInt(Math.round(us * 1000));
  while (process.hrtime.bigint() < end);
}

const result = {
  klippy_connected: true, klippy_state: 'ready', components: ['server', 'file_manager', 'machine'], failed_components: [],
  registered_directories: ['config', 'gcodes'], warnings: [], websocket_count: 0, moonraker_version: 'v0.9.3-bench', api_version: [1, 5, 0], api_version_string: '1.5.0',
};
const body = JSON.stringify({ result });

const server = http.createServer((_req, res) => {
  if (spinUs > 0) spin(spinUs);
  res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
});
const wss = new WebSocketServer({ server, path: '/websocket', perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    if (spinUs > 0) spin(spinUs);
    const { id } = JSON.parse(String(data)) as { id?: unknown };
    if (id !== undefined && id !== null) ws.send(JSON.stringify({ jsonrpc: '2.0', result, id }));
  });
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  childReady({ port: typeof addr === 'object' && addr ? addr.port : 0 }, () => new Promise<void>((r) => { for (const ws of wss.clients) ws.terminate(); server.closeAllConnections(); server.close(() => r()); }));
});

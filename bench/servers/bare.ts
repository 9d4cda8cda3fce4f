// The baseline: a bare node:http server answering every request with the same
// small JSON body gatehouse answers GET /access/user with. No framework, no auth.
import http from 'node:http';
import { childReady } from '../lib/child.js';

const result = { username: 'bench', source: 'moonraker', created_on: 1754000000.123 };

const server = http.createServer((_req, res) => {
  const body = JSON.stringify({ result });
  res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  childReady({ port: typeof addr === 'object' && addr ? addr.port : 0 }, () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
});

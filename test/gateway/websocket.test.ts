// Issue 19, point 2: the websocket gateway. Gatehouse in front of the recording
// upstream (test/helpers/upstream.ts): each client connection on /websocket gets
// its own upstream websocket once it is authenticated; gatehouse answers
// access.* and server.connection.identify itself and forwards every other
// method; the upstream records what reached it, so the tests assert what did not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, type Gateway } from './helpers.js';
import { RpcClient, sleep } from '../websocket/client.js';

const UNAUTHORIZED = { code: -32602, message: 'Unauthorized' };
const UNREACHABLE = { code: 502, message: 'Upstream Moonraker is unreachable' };
const CLIENT = { client_name: 'mainsail', version: '2.12.0', type: 'web', url: 'http://mainsail.local' };

async function withGateway(fn: (g: Gateway, sockets: RpcClient[]) => Promise<void>, over: Parameters<typeof startGateway>[0] = {}) {
  const g = await startGateway(over);
  const sockets: RpcClient[] = [];
  try {
    await fn(g, sockets);
  } finally {
    for (const c of sockets) await c.close();
    await g.stop();
  }
}

async function open(g: Gateway, sockets: RpcClient[], o: Parameters<typeof RpcClient.open>[1] = {}) {
  const c = await RpcClient.open(g.s.port, o);
  sockets.push(c);
  return c;
}

/** A user who logged in over HTTP: the JWT a client would identify with. */
async function login(g: Gateway, username = 'cora') {
  const made = await g.s.req('POST', '/access/user', { body: { username, password: `${username}-pw` }, headers: { 'x-api-key': g.s.apiKey() } });
  assert.equal(made.status, 200, made.text);
  const r = await g.s.req('POST', '/access/login', { body: { username, password: `${username}-pw` } });
  assert.equal(r.status, 200, r.text);
  return r.json.result as { token: string; refresh_token: string };
}

const until = async (cond: () => boolean) => { for (let i = 0; i < 200 && !cond(); i++) await sleep(10); };

test('an API-key socket: identify answers with the upstream\'s connection_id, calls go upstream under the client\'s ids, notifications come back', async () => {
  await withGateway(async (g, sockets) => {
    const c = await open(g, sockets, { headers: { 'x-api-key': g.s.apiKey() } });
    const id = (await c.result('server.connection.identify', CLIENT)).connection_id;
    assert.equal(g.up.sockets.length, 1);
    assert.equal(id, g.up.sockets[0]!.connectionId, 'the connection_id the client sees is the upstream\'s (clients send it back on HTTP requests, which go upstream)');
    assert.deepEqual(g.up.calls[0], { connectionId: id, method: 'server.connection.identify', params: CLIENT, id: g.up.calls[0]!.id });
    assert.deepEqual((await c.result('server.websocket.id')), { websocket_id: id });
    assert.equal((await c.result('server.info')).klippy_state, 'ready');
    // Ids of any JSON type come back as the client sent them.
    for (const cid of ['abc', 7.5, { x: 1 }]) {
      c.send({ jsonrpc: '2.0', method: 'printer.objects.query', params: { objects: { toolhead: null } }, id: cid });
      const a = await c.next((m) => JSON.stringify(m.id) === JSON.stringify(cid));
      assert.deepEqual(a, { jsonrpc: '2.0', result: { eventtime: 1234.5, status: a.result.status }, id: cid });
    }
    assert.deepEqual(g.up.calls.at(-1)!.params, { objects: { toolhead: null } });
    // The upstream's error, exactly as it gave it.
    const e = await c.call('printer.gcode.script', { script: 'G28' });
    assert.deepEqual(e, { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: e.id });
    assert.equal(g.up.notifyStatusUpdate({ extruder: { temperature: 200 } }), 1);
    assert.deepEqual(await c.next((m) => m.method === 'notify_status_update'), { jsonrpc: '2.0', method: 'notify_status_update', params: [{ extruder: { temperature: 200 } }, 1235.5] });
  });
});

test('gatehouse answers access.* and identify itself: none reaches the upstream; a batch mixes both', async () => {
  await withGateway(async (g, sockets) => {
    const c = await open(g, sockets, { headers: { 'x-api-key': g.s.apiKey() } });
    assert.equal((await c.result('access.get_user')).username, '_API_KEY_USER_');
    assert.equal((await c.call('access.no_such_method')).error.code, -32601);
    c.send([{ jsonrpc: '2.0', method: 'access.info', id: 1 }, { jsonrpc: '2.0', method: 'server.info', id: 2 }, { jsonrpc: '2.0', method: 'server.info' }]);
    const batch = await c.next(Array.isArray);
    assert.deepEqual(batch.map((a: any) => [a.id, 'result' in a]), [[1, true], [2, true]]);
    assert.equal(batch[0].result.default_source, 'moonraker');
    assert.equal(batch[1].result.klippy_state, 'ready');
    await until(() => g.up.calls.length === 2);
    assert.deepEqual(g.up.calls.map((x) => [x.method, x.id]), [['server.info', 1], ['server.info', undefined]], 'the notification (no id) went upstream without one');
  });
});

test('a notification the client sends goes upstream without an id; the upstream\'s error for it comes back with id null', async () => {
  await withGateway(async (g, sockets) => {
    const c = await open(g, sockets, { headers: { 'x-api-key': g.s.apiKey() } });
    c.send({ jsonrpc: '2.0', method: 'printer.gcode.script', params: { script: 'M115' } });
    assert.deepEqual(await c.next((m) => m.error), { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: null });
    assert.deepEqual(g.up.calls.map((x) => [x.method, x.id, x.params]), [['printer.gcode.script', undefined, { script: 'M115' }]]);
  });
});

test('unauthenticated: forwarded methods get Moonraker\'s Unauthorized and nothing is opened upstream; identify with a JWT then opens it', async () => {
  await withGateway(async (g, sockets) => {
    const { token } = await login(g);
    const c = await open(g, sockets);
    for (const m of ['server.info', 'printer.objects.query', 'server.websocket.id', 'no.such.method']) {
      // Differs from Moonraker for an unknown name: gatehouse does not know the upstream's methods, so "Unauthorized" rather than "Method not found".
      assert.deepEqual((await c.call(m)).error, UNAUTHORIZED, m);
    }
    assert.deepEqual((await c.call('server.connection.identify', CLIENT)).error, UNAUTHORIZED);
    assert.deepEqual((await c.call('server.connection.identify', { ...CLIENT, access_token: 'not-a-jwt' })).error.code, -32602);
    assert.deepEqual([g.up.sockets.length, g.up.calls.length, g.up.requests.length], [0, 0, 0]);
    const id = (await c.result('server.connection.identify', { ...CLIENT, access_token: token })).connection_id;
    assert.equal(id, g.up.sockets[0]!.connectionId);
    assert.deepEqual(g.up.calls[0]!.params, CLIENT, 'the credential gatehouse consumed is not passed on');
    assert.equal((await c.result('server.info')).klippy_state, 'ready');
  });
});

test('access.login on the socket authenticates it: its upstream opens and its calls go through', async () => {
  await withGateway(async (g, sockets) => {
    await login(g);
    const c = await open(g, sockets);
    assert.deepEqual((await c.call('server.info')).error, UNAUTHORIZED);
    assert.equal(g.up.sockets.length, 0);
    assert.equal((await c.result('access.login', { username: 'cora', password: 'cora-pw' })).username, 'cora');
    assert.equal((await c.result('server.info')).klippy_state, 'ready');
    assert.deepEqual([g.up.sockets.length, g.up.calls.map((x) => x.method)], [1, ['server.info']]);
  });
});

test('a oneshot ?token= on the URL authenticates the socket: its upstream opens at once, without the token; X-Real-Ip is gatehouse\'s address', async () => {
  await withGateway(async (g, sockets) => {
    const t = await g.s.req('GET', '/access/oneshot_token', { headers: { 'x-api-key': g.s.apiKey() } });
    assert.equal(t.status, 200, t.text);
    const c = await open(g, sockets, { query: { token: t.json.result } });
    await until(() => g.up.sockets.length === 1);
    const up = g.up.sockets[0]!;
    assert.equal(up.url, '/websocket');
    assert.equal(up.headers['x-real-ip'], '127.0.0.1');
    assert.equal(up.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(up.headers.authorization, undefined);
    assert.equal(up.headers['x-api-key'], undefined);
    assert.equal(g.up.notifyStatusUpdate({ webhooks: { state: 'ready' } }), 1);
    await c.next((m) => m.method === 'notify_status_update');
    assert.equal(g.up.calls.length, 0, 'the notification came before any call');
  });
});

test('a trusted client address needs no credential; with force_logins and a user it does', async () => {
  // trusted_clients and force_logins changed: they are what is under test.
  await withGateway(async (g, sockets) => {
    const c = await open(g, sockets);
    assert.equal((await c.result('server.info')).klippy_state, 'ready');
  }, { authorization: { trusted_clients: ['127.0.0.0/8'] } });
  await withGateway(async (g, sockets) => {
    await login(g);
    const c = await open(g, sockets);
    assert.deepEqual((await c.call('server.info')).error, UNAUTHORIZED);
    assert.equal(g.up.calls.length, 0);
  }, { authorization: { trusted_clients: ['127.0.0.0/8'], force_logins: true } });
});

for (const [what, revoke] of [
  ['logs out', (g: Gateway, s: { token: string }) => g.s.req('POST', '/access/logout', { headers: { authorization: `Bearer ${s.token}` } })],
  ['is deleted', (g: Gateway) => g.s.req('DELETE', '/access/user?username=cora', { headers: { 'x-api-key': g.s.apiKey() } })],
] as const) {
  test(`when the user ${what}, the socket's forwarded calls stop at once and upstream notifications no longer reach it`, async () => {
    await withGateway(async (g, sockets) => {
      const session = await login(g);
      const c = await open(g, sockets);
      await c.result('server.connection.identify', { ...CLIENT, access_token: session.token });
      assert.equal((await c.result('server.info')).klippy_state, 'ready');
      const r = await revoke(g, session);
      assert.equal(r.status, 200, r.text);
      const before = g.up.calls.length;
      assert.deepEqual((await c.call('server.info')).error, UNAUTHORIZED);
      assert.deepEqual((await c.call('printer.objects.query')).error, UNAUTHORIZED);
      assert.equal(g.up.calls.length, before, 'nothing more reached the upstream');
      g.up.notifyStatusUpdate({ secret: 1 });
      await sleep(200);
      assert.equal(c.notifications('notify_status_update').length, 0);
    });
  });
}

test('a login over HTTP with ?connection_id= (the upstream\'s id, which identify told the client) authenticates that socket again after its user logged out', async () => {
  await withGateway(async (g, sockets) => {
    const session = await login(g);
    const other = await open(g, sockets, { headers: { 'x-api-key': g.s.apiKey() } });
    await other.result('server.connection.identify', CLIENT);
    const c = await open(g, sockets);
    const id = (await c.result('server.connection.identify', { ...CLIENT, access_token: session.token })).connection_id;
    assert.equal(id, g.up.sockets.at(-1)!.connectionId);
    assert.equal((await g.s.req('POST', '/access/logout', { headers: { authorization: `Bearer ${session.token}` } })).status, 200);
    assert.deepEqual((await c.call('server.info')).error, UNAUTHORIZED);
    const r = await g.s.req('POST', `/access/login?connection_id=${id}`, { body: { username: 'cora', password: 'cora-pw' } });
    assert.equal(r.status, 200, r.text);
    assert.equal((await c.result('server.info')).klippy_state, 'ready', 'the socket the client named is authenticated again');
    assert.equal((await c.result('access.get_user')).username, 'cora');
    assert.equal((await other.result('access.get_user')).username, '_API_KEY_USER_', 'no other socket changed');
  });
});

test('when the API key is rotated, a socket that authenticated with the old key stops forwarding; the new key works', async () => {
  await withGateway(async (g, sockets) => {
    const old = g.s.apiKey();
    const c = await open(g, sockets, { headers: { 'x-api-key': old } });
    assert.equal((await c.result('server.info')).klippy_state, 'ready');
    const r = await g.s.req('POST', '/access/api_key', { headers: { 'x-api-key': old } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual((await c.call('server.info')).error, UNAUTHORIZED);
    assert.equal(g.up.calls.length, 1);
    const d = await open(g, sockets, { headers: { 'x-api-key': r.json.result } });
    assert.equal((await d.result('server.info')).klippy_state, 'ready');
  });
});

test('upstream down: a clear JSON-RPC error, gatehouse\'s own methods still answer, and the same socket reaches the upstream once it is back', async () => {
  await withGateway(async (g, sockets) => {
    await g.up.down();
    const c = await open(g, sockets, { headers: { 'x-api-key': g.s.apiKey() } });
    assert.deepEqual((await c.call('server.info')).error, UNREACHABLE);
    assert.deepEqual((await c.call('server.connection.identify', CLIENT)).error, UNREACHABLE);
    assert.equal((await c.result('access.info')).default_source, 'moonraker');
    await g.up.up();
    const id = (await c.result('server.connection.identify', CLIENT)).connection_id;
    assert.equal(id, g.up.sockets.at(-1)!.connectionId);
    assert.equal((await c.result('server.info')).klippy_state, 'ready');
    const logs = g.s.logs.join('\n');
    assert.equal(logs.match(/upstream websocket failed to open/g)?.length, 1, 'one warning for the outage, not one per failed call');
    assert.match(logs, /upstream websocket reachable again/);
  });
});

test('upstream restarting: a waiting call gets an error, the client is closed with the upstream\'s 1001, and a new connection works once it is back', async () => {
  await withGateway(async (g, sockets) => {
    const c = await open(g, sockets, { headers: { 'x-api-key': g.s.apiKey() } });
    await c.result('server.connection.identify', CLIENT);
    const waiting = c.call('test.hang');
    await until(() => g.up.calls.some((x) => x.method === 'test.hang'));
    await g.up.down();
    assert.deepEqual((await waiting).error, { code: 502, message: 'Upstream Moonraker closed the websocket' });
    assert.deepEqual(await c.closed, { code: 1001, reason: 'Server Shutdown' });
    const d = await open(g, sockets, { headers: { 'x-api-key': g.s.apiKey() } });
    assert.deepEqual((await d.call('server.info')).error, UNREACHABLE);
    await g.up.up();
    assert.equal((await d.result('server.info')).klippy_state, 'ready');
    assert.equal((await g.s.req('GET', '/access/info')).status, 200, 'gatehouse never stopped');
  });
});

test('forwarded calls waiting on the upstream (a G-code waiting for a heater) do not stop the socket past ws_max_in_flight', async () => {
  await withGateway(async (g, sockets) => {
    const c = await open(g, sockets, { headers: { 'x-api-key': g.s.apiKey() } });
    const waiting = g.s.gh.config.limits.ws_max_in_flight + 4;
    for (let i = 0; i < waiting; i++) c.send({ jsonrpc: '2.0', method: 'test.hang', id: `wait-${i}` });
    assert.equal((await c.result('server.info')).klippy_state, 'ready');
    assert.equal((await c.result('access.info')).default_source, 'moonraker');
    assert.equal(g.up.calls.filter((x) => x.method === 'test.hang').length, waiting);
  });
});

for (const batch of [false, true]) test(`a client that goes away closes its upstream websocket${batch ? ', also with a batch of forwarded calls still running' : ''}`, async () => {
  await withGateway(async (g, sockets) => {
    const c = await open(g, sockets, { headers: { 'x-api-key': g.s.apiKey() } });
    assert.equal((await c.result('server.info')).websocket_count, 1);
    if (batch) {
      // The batch's first call waits until the client is gone; its next ones must not open a new upstream websocket for it.
      c.send([{ jsonrpc: '2.0', method: 'test.hang', id: 1 }, { jsonrpc: '2.0', method: 'server.info', id: 2 }, { jsonrpc: '2.0', method: 'server.info', id: 3 }]);
      await until(() => g.up.calls.some((x) => x.method === 'test.hang'));
    }
    await c.close();
    const d = await open(g, sockets, { headers: { 'x-api-key': g.s.apiKey() } });
    await until(() => g.up.sockets.length === 2);
    for (let i = 0; i < 100 && (await d.result('server.info')).websocket_count !== 1; i++) await sleep(10);
    assert.equal((await d.result('server.info')).websocket_count, 1);
  });
});

/** A TCP server on a free port that answers every upgrade request with `reply` (undefined: accepts and never answers). */
async function fakeUpstream(reply: string | undefined) {
  const net = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => {});
    if (reply !== undefined) sock.once('data', () => sock.end(reply));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`,
    close: () => { for (const s of sockets) s.destroy(); return new Promise<void>((r) => server.close(() => r())); },
  };
}

test('an upstream that refuses the upgrade (503): 502 "Bad response from upstream Moonraker"; one that never answers it: 504 after upstream_connect_timeout', async () => {
  const refusing = await fakeUpstream('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  const g = await startGateway({}, { upstreamOrigin: refusing.origin });
  try {
    const c = await RpcClient.open(g.s.port, { headers: { 'x-api-key': g.s.apiKey() } });
    assert.deepEqual((await c.call('server.info')).error, { code: 502, message: 'Bad response from upstream Moonraker' });
    await c.close();
  } finally {
    await g.stop();
    await refusing.close();
  }
  const silent = await fakeUpstream(undefined);
  // upstream_connect_timeout at its least (1 s): the timeout is what is under test.
  const h = await startGateway({ gateway: { upstream_connect_timeout: 1 } }, { upstreamOrigin: silent.origin });
  try {
    const c = await RpcClient.open(h.s.port, { headers: { 'x-api-key': h.s.apiKey() } });
    assert.deepEqual((await c.call('server.info')).error, { code: 504, message: 'Upstream Moonraker did not answer in time' });
    assert.equal((await c.result('access.info')).default_source, 'moonraker');
    await c.close();
  } finally {
    await h.stop();
    await silent.close();
  }
});

test('an upstream that stops answering pings (its host gone without a word) is cut off: waiting calls get an error, the client is closed with 1012', async () => {
  const { WebSocketServer } = await import('ws');
  const silent = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false });
  await new Promise((resolve) => silent.once('listening', resolve));
  const origin = `http://127.0.0.1:${(silent.address() as import('node:net').AddressInfo).port}`;
  // ws_ping_interval_ms lowered so the missed pong is found within the test.
  const g = await startGateway({ limits: { ws_ping_interval_ms: 100 } }, { upstreamOrigin: origin });
  try {
    const c = await RpcClient.open(g.s.port, { headers: { 'x-api-key': g.s.apiKey() } });
    const waiting = c.call('server.info');
    assert.deepEqual((await waiting).error, { code: 502, message: 'Upstream Moonraker closed the websocket' });
    assert.deepEqual(await c.closed, { code: 1012, reason: 'Upstream Moonraker closed the websocket' });
  } finally {
    await g.stop();
    for (const ws of silent.clients) ws.terminate();
    await new Promise((resolve) => silent.close(resolve));
  }
});

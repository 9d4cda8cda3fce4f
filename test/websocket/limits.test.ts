// Limits that keep one client from hurting the others: message size (1009),
// the per-connection rate limit (429 answers, then 1008), keep-alive pings
// (a peer that does not pong is cut off), connection cap, clean close codes.
// No timing assertions: only generous timeouts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startGatehouse } from '../helpers/server.js';
import { RpcClient, sleep } from './client.js';

describe('websocket limits', () => {
  test('differs from Moonraker: a message over the size limit ([limits] ws_max_message_bytes, 256 KiB; Moonraker\'s is 10 MiB) closes that connection with 1009; others carry on', async () => {
    const s = await startGatehouse({ limits: { ws_max_message_bytes: 1024 } });
    try {
      const big = await RpcClient.open(s.port);
      const other = await RpcClient.open(s.port, { headers: { 'x-api-key': s.apiKey() } });
      assert.ok((await big.result('access.info')), 'a small message is fine');
      big.send(JSON.stringify({ jsonrpc: '2.0', method: 'access.login', params: { username: 'x', password: 'p'.repeat(2000) }, id: 1 }));
      const closed = await big.closed;
      assert.equal(closed.code, 1009);
      assert.equal(await other.result('access.get_api_key'), s.apiKey());
      await other.close();
    } finally { await s.stop(); }
  });

  test('differs from Moonraker: a per-connection rate limit ([limits] ws_messages_per_second; Moonraker has none): past the burst, messages are answered 429 "Too Many Requests" and not run; the bucket refills', async () => {
    const s = await startGatehouse({ limits: { ws_messages_per_second: 2, ws_burst: 5 } });
    try {
      const c = await RpcClient.open(s.port, { headers: { 'x-api-key': s.apiKey() } });
      for (let id = 1; id <= 9; id++) c.send({ jsonrpc: '2.0', method: 'access.get_api_key', id });
      const answers = await Promise.all(Array.from({ length: 9 }, (_, i) => c.next((m) => m.id === i + 1)));
      const ok = answers.filter((a) => a.result === s.apiKey()).length;
      const limited = answers.filter((a) => a.error?.code === 429);
      assert.equal(ok + limited.length, 9);
      assert.ok(ok >= 5 && ok <= 6, `burst of 5 runs (got ${ok})`);
      assert.deepEqual(limited[0].error, { code: 429, message: 'Too Many Requests' });
      await sleep(3000); // the debt is repaid at 2/s
      assert.equal(await c.result('access.get_api_key'), s.apiKey());
      // a batch costs one token per entry
      c.send(Array.from({ length: 8 }, (_, i) => ({ jsonrpc: '2.0', method: 'access.info', id: `b${i}` })));
      const batch = await c.next((m) => Array.isArray(m));
      assert.equal(batch.length, 8);
      assert.ok(batch.every((a: any) => a.error?.code === 429), 'a batch larger than the bucket is refused whole');
      await c.close();
    } finally { await s.stop(); }
  });

  test('a flooding client is closed with 1008 while another client\'s requests keep being answered', async () => {
    const s = await startGatehouse({ gatehouse: { log_level: 'warn' }, limits: { ws_messages_per_second: 50, ws_burst: 100 } });
    try {
      const flooder = await RpcClient.open(s.port);
      const calm = await RpcClient.open(s.port, { headers: { 'x-api-key': s.apiKey() } });
      let stop = false;
      const flood = (async () => {
        const msg = JSON.stringify({ jsonrpc: '2.0', method: 'access.info', id: 1 });
        while (!stop && flooder.ws.readyState === WebSocket.OPEN) {
          for (let i = 0; i < 200; i++) flooder.ws.send(msg);
          await new Promise((r) => setImmediate(r));
        }
      })();
      const answers: unknown[] = [];
      for (let i = 0; i < 30; i++) answers.push(await calm.result('access.get_api_key'));
      const closed = await flooder.closed;
      stop = true;
      await flood;
      assert.equal(closed.code, 1008);
      assert.equal(closed.reason, 'Rate limit exceeded');
      assert.equal(answers.length, 30);
      assert.ok(answers.every((a) => a === s.apiKey()));
      assert.equal(await calm.result('access.get_api_key'), s.apiKey(), 'the calm client is still served after the flood');
      await calm.close();
    } finally { await s.stop(); }
  });

  test('an unauthenticated flood is limited the same way', async () => {
    const s = await startGatehouse({ gatehouse: { log_level: 'warn' }, limits: { ws_messages_per_second: 5, ws_burst: 5 } });
    try {
      const c = await RpcClient.open(s.port);
      for (let i = 0; i < 50; i++) c.send('not json');
      assert.equal((await c.closed).code, 1008);
    } finally { await s.stop(); }
  });

  test('keep-alive: a peer that answers pings stays; one that does not is closed 1000 "ping timed out" (as Tornado)', async () => {
    const s = await startGatehouse({ limits: { ws_ping_interval_ms: 100 } });
    try {
      const alive = await RpcClient.open(s.port, { headers: { 'x-api-key': s.apiKey() } });
      const mute = await RpcClient.open(s.port, { autoPong: false });
      let pings = 0;
      alive.ws.on('ping', () => pings++);
      assert.deepEqual(await mute.closed, { code: 1000, reason: 'ping timed out' });
      while (pings < 3) await sleep(50);
      assert.equal(alive.ws.readyState, WebSocket.OPEN);
      assert.equal(await alive.result('access.get_api_key'), s.apiKey());
      await alive.close();
    } finally { await s.stop(); }
  });

  test('keep-alive: a dead peer (reads nothing, answers nothing) is cut off', async () => {
    const s = await startGatehouse({ limits: { ws_ping_interval_ms: 100, ws_close_grace_ms: 200 } });
    try {
      const dead = await RpcClient.open(s.port);
      const raw = (dead.ws as any)._socket;
      raw.pause();
      const hub = (s.gh.app as any).moonrakerWebsocket; // the server's count of open sockets
      while (hub.size > 0) await sleep(50);
      raw.resume();
      // what it finds when it reads again: the close it never answered, then the end of the stream
      assert.deepEqual(await dead.closed, { code: 1000, reason: 'ping timed out' });
    } finally { await s.stop(); }
  });

  test('a client closing with 1000 gets 1000 back', async () => {
    const s = await startGatehouse();
    try {
      const c = await RpcClient.open(s.port);
      assert.equal((await c.close(1000)).code, 1000);
    } finally { await s.stop(); }
  });

  test('server shutdown closes every socket with 1001 "Server Shutdown"', async () => {
    const s = await startGatehouse();
    const a = await RpcClient.open(s.port);
    const b = await RpcClient.open(s.port, { headers: { 'x-api-key': s.apiKey() } });
    await s.stop();
    assert.deepEqual(await a.closed, { code: 1001, reason: 'Server Shutdown' });
    assert.deepEqual(await b.closed, { code: 1001, reason: 'Server Shutdown' });
  });

  test('shutdown does not wait on a client that never answers the close', async () => {
    const s = await startGatehouse({ limits: { ws_close_grace_ms: 200 } });
    const c = await RpcClient.open(s.port);
    // stop reading: the client's close frame will never be sent back
    (c.ws as any)._socket.pause();
    await s.stop();
    (c.ws as any)._socket.resume();
    c.ws.terminate();
  });

  test('differs from Moonraker: a client that stops reading is dropped once maxBufferedBytes of answers are queued for it (Moonraker queues without limit); others carry on', async () => {
    const s = await startGatehouse({ limits: { ws_max_buffered_bytes: 65536, ws_max_message_bytes: 1 << 20, ws_messages_per_second: 1e6, ws_burst: 1e6 } });
    try {
      const slow = await RpcClient.open(s.port, { headers: { 'x-api-key': s.apiKey() } });
      const other = await RpcClient.open(s.port, { headers: { 'x-api-key': s.apiKey() } });
      const raw = (slow.ws as any)._socket;
      raw.pause(); // nothing is read any more: the kernel buffers fill, then the server's queue
      const batch = JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ jsonrpc: '2.0', method: 'access.get_api_key', id: i })));
      let closed = false;
      slow.closed.then(() => { closed = true; });
      for (let i = 0; i < 400 && !closed; i++) {
        slow.ws.send(batch);
        await sleep(20);
        if (raw.destroyed || raw.readableEnded) break;
      }
      raw.resume();
      assert.equal((await slow.closed).code, 1006, 'cut off, no close handshake possible');
      assert.ok(s.logs.join('').includes('websocket client not reading; dropped'));
      assert.equal(await other.result('access.get_api_key'), s.apiKey());
      await other.close();
    } finally { await s.stop(); }
  });

  test('differs from Moonraker: past the connection cap (20 000; Moonraker\'s is 50) the upgrade is refused with a JSON 503 (Moonraker: 500)', async () => {
    const s = await startGatehouse({ limits: { ws_max_connections: 2 } });
    try {
      const a = await RpcClient.open(s.port);
      const b = await RpcClient.open(s.port);
      await assert.rejects(RpcClient.open(s.port), (e: any) => e.status === 503);
      await a.close();
      await sleep(50);
      const c = await RpcClient.open(s.port);
      await b.close();
      await c.close();
    } finally { await s.stop(); }
  });
});

// The recording upstream itself (test/helpers/upstream.ts), websocket side: the
// websocket gateway's tests will stand on it, so what it answers and records is pinned here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startUpstream } from '../helpers/upstream.js';

test('recording upstream: JSON-RPC on /websocket answers Moonraker-shaped methods, records calls, pushes notify_status_update', async () => {
  const up = await startUpstream();
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${up.port}/websocket?token=abc`, { headers: { 'x-test': '1' } });
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    const inbox: any[] = [];
    const waiters: ((m: any) => void)[] = [];
    ws.on('message', (d) => { const m = JSON.parse(String(d)); const w = waiters.shift(); if (w) w(m); else inbox.push(m); });
    const next = () => new Promise<any>((r) => (inbox.length ? r(inbox.shift()) : waiters.push(r)));
    const call = async (method: string, params?: unknown, id = Math.floor(Math.random() * 1e6)) => {
      ws.send(JSON.stringify({ jsonrpc: '2.0', method, params, id }));
      const m = await next();
      assert.equal(m.id, id);
      return m;
    };
    const id = (await call('server.connection.identify', { client_name: 'test', version: '1', type: 'web', url: 'x' })).result.connection_id;
    assert.equal(typeof id, 'number');
    assert.equal((await call('server.websocket.id')).result.websocket_id, id);
    assert.equal((await call('server.info')).result.klippy_state, 'ready');
    assert.deepEqual(Object.keys((await call('printer.objects.query', { objects: { toolhead: null } })).result), ['eventtime', 'status']);
    assert.deepEqual((await call('printer.gcode.script', { script: 'G28' })).error, { code: -32601, message: 'Method not found' });
    assert.equal(up.notifyStatusUpdate({ extruder: { temperature: 200 } }), 1);
    const note = await next();
    assert.deepEqual(note, { jsonrpc: '2.0', method: 'notify_status_update', params: [{ extruder: { temperature: 200 } }, 1235.5] });
    assert.deepEqual(up.calls.map((c) => [c.connectionId, c.method]), [[id, 'server.connection.identify'], [id, 'server.websocket.id'], [id, 'server.info'], [id, 'printer.objects.query'], [id, 'printer.gcode.script']]);
    assert.deepEqual(up.calls[4]!.params, { script: 'G28' });
    assert.equal(up.sockets[0]!.url, '/websocket?token=abc');
    assert.equal(up.sockets[0]!.headers['x-test'], '1');
    ws.close();
  } finally {
    await up.close();
  }
});

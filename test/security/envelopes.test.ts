// Every error the server itself answers (Node's parser refusals, bodies over
// the limit, unknown routes) is written in the envelope of the face it belongs
// to: Moonraker's `{"error": {"code", "message"}}`, Grafana's `{"message"}`. The
// Grafana face on a listener of its own (grafana_port) never answers Moonraker-shaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { startGatehouse } from '../helpers/server.js';

/** Sends raw bytes, returns status line, content type and JSON body of the answer. */
function raw(port: number, bytes: string): Promise<{ status: number; type: string; body: any }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.end(bytes));
    let text = '';
    sock.on('data', (c) => (text += c));
    sock.on('error', reject);
    sock.on('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), type: /content-type: ([^\r]*)/i.exec(head)?.[1] ?? '', body: body ? JSON.parse(body) : undefined });
    });
  });
}

/** What a listener writes for a parser refusal (Node emits clientError; a timeout is one, without waiting for it). */
function clientError(server: import('node:http').Server, code: string): Promise<string> {
  let written = '';
  const socket = new Duplex({ read() {}, write(c, _e, done) { written += c; done(); } });
  server.emit('clientError', Object.assign(new Error(code), { code }), socket);
  return new Promise((r) => setImmediate(() => r(written)));
}

const bigHeaders = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`;

test('the shared listener: 431 and 408 Moonraker-shaped; 413 and 404 in the envelope of the route\'s face', async () => {
  const s = await startGatehouse();
  try {
    const h = await raw(s.port, bigHeaders('/access/info'));
    assert.equal(h.status, 431);
    assert.deepEqual(h.body, { error: { code: 431, message: 'Request headers too large' } });
    const t = await clientError(s.gh.app.server, 'ERR_HTTP_REQUEST_TIMEOUT');
    assert.match(t, /^HTTP\/1\.1 408 /);
    assert.ok(t.endsWith(JSON.stringify({ error: { code: 408, message: 'Request timeout' } })), t);
    const body = JSON.stringify({ pad: 'x'.repeat(70_000) });
    const m = await s.req('POST', '/access/login', { raw: body, headers: { 'content-type': 'application/json' } });
    assert.equal(m.status, 413);
    assert.deepEqual(m.json, { error: { code: 413, message: 'Request body exceeds 65536 bytes' } });
    const g = await s.req('POST', '/api/orgs', { raw: body, headers: { 'content-type': 'application/json' } });
    assert.equal(g.status, 413);
    assert.deepEqual(g.json, { message: 'Request body exceeds 65536 bytes' });
    assert.deepEqual((await s.req('GET', '/api/nothing')).json, { message: 'Not found' });
    assert.deepEqual((await s.req('GET', '/nothing')).json, { error: { code: 404, message: 'Not Found' } });
  } finally {
    await s.stop();
  }
});

test('the Grafana face on its own listener answers everything Grafana-shaped: 431, 408, 413, 404', async () => {
  const s = await startGatehouse({ gatehouse: { grafana_port: 0 } });
  try {
    const port = s.gh.grafanaAddress()!.port;
    const h = await raw(port, bigHeaders('/api/org'));
    assert.equal(h.status, 431);
    assert.match(h.type, /^application\/json/);
    assert.deepEqual(h.body, { message: 'Request headers too large' });
    const t = await clientError(s.gh.grafanaApp!.server, 'ERR_HTTP_REQUEST_TIMEOUT');
    assert.match(t, /^HTTP\/1\.1 408 /);
    assert.ok(t.endsWith(JSON.stringify({ message: 'Request timeout' })), t);
    const base = `http://127.0.0.1:${port}`;
    const big = await fetch(`${base}/api/orgs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(70_000) }) });
    assert.equal(big.status, 413);
    assert.deepEqual(await big.json(), { message: 'Request body exceeds 65536 bytes' });
    const nf = await fetch(`${base}/access/info`);
    assert.equal(nf.status, 404);
    assert.deepEqual(await nf.json(), { message: 'Not found' });
    // the main listener has no Grafana routes then: Moonraker-shaped there
    assert.deepEqual((await s.req('GET', '/api/org')).json, { error: { code: 404, message: 'Not Found' } });
  } finally {
    await s.stop();
  }
});

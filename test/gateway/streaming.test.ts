// Bodies of any size stream through the gateway both ways, byte for byte,
// without gatehouse holding them: a 256 MiB multipart upload (far over
// max_body_bytes) and a 256 MiB download. Client, gatehouse and upstream share
// this process, so its memory bounds what any of them held at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { startGateway } from './helpers.js';
import { patternByte } from '../helpers/upstream.js';

const SIZE = 256 * 1024 * 1024;
const CHUNK = 1 << 20;

/** Peak growth of this process's memory (heap + buffers) while `work` runs, sampled every 20 ms. */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ result: T; peakMiB: number }> {
  global.gc?.();
  const used = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
  const base = used();
  let peak = base;
  const timer = setInterval(() => { peak = Math.max(peak, used()); }, 20);
  try {
    const result = await work();
    return { result, peakMiB: (peak - base) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

test('a 256 MiB multipart upload streams through (no body limit on forwarded requests) and arrives intact', async () => {
  const g = await startGateway();
  try {
    const boundary = 'gatehouse-test-boundary';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.gcode"\r\nContent-Type: application/octet-stream\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="root"\r\n\r\ngcodes\r\n--${boundary}--\r\n`);
    const chunk = Buffer.alloc(CHUNK, 0x47); // "G"
    const expected = createHash('sha256');
    function* parts() {
      expected.update(head); yield head;
      for (let sent = 0; sent < SIZE; sent += CHUNK) { expected.update(chunk); yield chunk; }
      expected.update(tail); yield tail;
    }
    const length = head.length + SIZE + tail.length;
    const { result, peakMiB } = await peakGrowth(() => new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1', port: g.s.port, method: 'POST', path: '/server/files/upload', agent: false,
        headers: { 'x-api-key': g.s.apiKey(), 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': length },
      }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      Readable.from(parts()).pipe(req);
    }));
    assert.equal(result.status, 201, result.body);
    const r = JSON.parse(result.body).result;
    assert.equal(r.bytes, length);
    assert.equal(r.sha256, expected.digest('hex'));
    assert.ok(peakMiB < 96, `memory grew by ${peakMiB.toFixed(0)} MiB while 256 MiB went through`);
  } finally {
    await g.stop();
  }
});

test('a 256 MiB chunked upload (no Content-Length) and a 256 MiB download stream through intact', async () => {
  const g = await startGateway();
  try {
    const chunk = Buffer.alloc(CHUNK, 0x31);
    const expected = createHash('sha256');
    for (let i = 0; i < SIZE / CHUNK; i++) expected.update(chunk);
    const up = await fetch(`${g.s.base}/server/files/upload`, {
      method: 'POST', duplex: 'half',
      headers: { 'x-api-key': g.s.apiKey(), 'content-type': 'application/octet-stream' },
      body: Readable.toWeb(Readable.from((function* () { for (let i = 0; i < SIZE / CHUNK; i++) yield chunk; })())) as ReadableStream,
    } as RequestInit);
    assert.equal(up.status, 201);
    const r = ((await up.json()) as any).result;
    assert.equal(r.bytes, SIZE);
    assert.equal(r.sha256, expected.digest('hex'));
    assert.equal(g.up.requests[0]!.headers['transfer-encoding'], 'chunked');

    const { result, peakMiB } = await peakGrowth(async () => {
      const res = await fetch(`${g.s.base}/server/files/download/${SIZE}.bin`, { headers: { 'x-api-key': g.s.apiKey() } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-length'), String(SIZE));
      assert.equal(res.headers.get('content-disposition'), 'attachment; filename="download.bin"');
      let offset = 0;
      let mismatch = -1;
      for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) {
        if (mismatch < 0) for (let i = 0; i < c.length; i += 4099) if (c[i] !== patternByte(offset + i)) { mismatch = offset + i; break; }
        offset += c.length;
      }
      return { offset, mismatch };
    });
    assert.equal(result.offset, SIZE);
    assert.equal(result.mismatch, -1, 'content as the upstream sent it');
    assert.ok(peakMiB < 96, `memory grew by ${peakMiB.toFixed(0)} MiB while 256 MiB went through`);
  } finally {
    await g.stop();
  }
});

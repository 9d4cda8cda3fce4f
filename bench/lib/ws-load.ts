// Closed-loop JSON-RPC load over websockets, in the parent process (scenario
// 7c): N sockets, each sending its next call when the last one answered, for a
// measured window. Latency is from the send to the answer, per call.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { percentile, type LoadResult } from './load.js';

export interface WsLoadSpec {
  /** ws://host:port/websocket */
  url: string;
  /** Headers of the upgrade (the credential). */
  headers?: Record<string, string>;
  connections: number;
  /** Measured window, seconds. */
  duration: number;
  method: string;
  params?: Record<string, unknown>;
}

async function openAll(spec: WsLoadSpec): Promise<WebSocket[]> {
  return Promise.all(Array.from({ length: spec.connections }, () => new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(spec.url, { headers: spec.headers, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  })));
}

/** Opens the sockets, runs calls on all of them for `duration` s, closes them. Errors (answers with `error`) are counted, not timed. */
export async function wsLoad(spec: WsLoadSpec): Promise<LoadResult> {
  const sockets = await openAll(spec);
  let samples = new Float64Array(1 << 16);
  let n = 0, ok = 0, errors = 0;
  const statuses: Record<string, number> = {};
  const t0 = performance.now();
  const end = t0 + spec.duration * 1000;
  await Promise.all(sockets.map((ws) => new Promise<void>((resolve) => {
    let id = 0, sent = 0;
    const next = () => {
      if (performance.now() >= end) return resolve();
      sent = performance.now();
      ws.send(JSON.stringify({ jsonrpc: '2.0', method: spec.method, ...(spec.params ? { params: spec.params } : {}), id: ++id }));
    };
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.id !== id) return; // a notification
      if (m.error) { errors++; statuses[m.error.code] = (statuses[m.error.code] ?? 0) + 1; } else {
        ok++;
        if (n === samples.length) { const b = new Float64Array(n * 2); b.set(samples); samples = b; }
        samples[n++] = performance.now() - sent;
      }
      next();
    });
    ws.once('close', () => resolve());
    next();
  })));
  const seconds = (performance.now() - t0) / 1000;
  for (const ws of sockets) ws.terminate();
  const s = samples.slice(0, n).sort();
  return { rps: ok / seconds, p50: percentile(s, 50), p99: percentile(s, 99), max: n ? s[n - 1]! : NaN, ok, non2xx: errors, errors: 0, statuses, seconds, samples: s };
}

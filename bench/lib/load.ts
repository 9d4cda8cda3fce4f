// Load generation in the parent process: autocannon for closed-loop throughput
// (N connections, each sending its next request when the last one answered),
// and a small open-loop probe for latency under a fixed request rate.
import http from 'node:http';
import autocannon from 'autocannon';

export interface LoadResult {
  /** 2xx responses per second over the measured window. */
  rps: number;
  /** Latency percentiles of 2xx responses, ms (full float precision, not autocannon's integer histogram). */
  p50: number;
  p99: number;
  max: number;
  ok: number;
  /** Responses that were not 2xx, and socket errors/timeouts. */
  non2xx: number;
  errors: number;
  /** First few non-2xx statuses seen, for diagnostics. */
  statuses: Record<string, number>;
  seconds: number;
  /** The sorted latency samples behind p50/p99 (to merge runs). */
  samples: Float64Array;
}

export interface LoadSpec {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  /** Measured window, seconds. */
  duration: number;
  /** Unmeasured run first, seconds (JIT, caches, connection set-up). */
  warmup?: number;
  /** Fixed total request rate (req/s) instead of as fast as the server answers. */
  rate?: number;
  /** Request bodies to cycle through, one per request (instead of `body`). */
  bodies?: string[];
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

class Samples {
  private buf = new Float64Array(1 << 16);
  n = 0;
  push(v: number) {
    if (this.n === this.buf.length) {
      const b = new Float64Array(this.buf.length * 2);
      b.set(this.buf);
      this.buf = b;
    }
    this.buf[this.n++] = v;
  }
  sorted(): Float64Array { return this.buf.slice(0, this.n).sort(); }
}

function cannon(spec: LoadSpec, seconds: number, onResponse?: (status: number, ms: number) => void): Promise<autocannon.Result> {
  let next = 0;
  return new Promise((resolve, reject) => {
    const inst = autocannon({
      url: spec.url,
      method: spec.method ?? 'GET',
      headers: spec.headers,
      body: spec.body,
      connections: spec.connections,
      duration: seconds,
      timeout: 10,
      ...(spec.rate ? { overallRate: spec.rate } : {}),
      ...(spec.bodies ? { requests: [{ method: spec.method ?? 'GET', headers: spec.headers, setupRequest: (req: Record<string, unknown>) => ({ ...req, body: spec.bodies![next++ % spec.bodies!.length] }) }] } : {}),
    }, (err, res) => (err ? reject(err) : resolve(res)));
    if (onResponse) inst.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => onResponse(status, ms));
  });
}

/** Closed-loop load with autocannon: warm-up, then a measured window. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  if (spec.warmup) await cannon(spec, spec.warmup);
  const lat = new Samples();
  const statuses: Record<string, number> = {};
  let ok = 0, non2xx = 0;
  const t0 = process.hrtime.bigint();
  const res = await cannon(spec, spec.duration, (status, ms) => {
    if (status >= 200 && status < 300) { ok++; lat.push(ms); } else { non2xx++; statuses[status] = (statuses[status] ?? 0) + 1; }
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const s = lat.sorted();
  return {
    rps: ok / Math.min(seconds, res.duration || seconds),
    p50: percentile(s, 50), p99: percentile(s, 99), max: s.length ? s[s.length - 1]! : NaN,
    ok, non2xx, errors: res.errors + res.timeouts, statuses, seconds, samples: s,
  };
}

/**
 * Open-loop probe: sends `rate` requests per second on a schedule, whatever the
 * server's answers (so a stalled server shows up in the tail instead of silently
 * lowering the rate), each measured from the moment it is handed to the HTTP
 * agent (a request queued behind a stalled socket counts; the probe's own timer
 * granularity does not).
 */
export async function probe(o: { url: string; headers?: Record<string, string>; rate: number; duration: number; warmup?: number }): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const once = (seconds: number, record: boolean) => new Promise<LoadResult>((resolve) => {
    const lat = new Samples();
    const statuses: Record<string, number> = {};
    let ok = 0, non2xx = 0, errors = 0, sent = 0, done = 0;
    const total = Math.round(o.rate * seconds);
    const start = performance.now();
    const finish = () => {
      const s = lat.sorted();
      resolve({ rps: ok / seconds, p50: percentile(s, 50), p99: percentile(s, 99), max: s.length ? s[s.length - 1]! : NaN, ok, non2xx, errors, statuses, seconds, samples: s });
    };
    const fire = () => {
      const scheduled = performance.now();
      const req = http.request(o.url, { agent, headers: o.headers }, (res) => {
        res.resume();
        res.on('end', () => {
          const ms = performance.now() - scheduled;
          const st = res.statusCode ?? 0;
          if (st >= 200 && st < 300) { ok++; if (record) lat.push(ms); } else { non2xx++; statuses[st] = (statuses[st] ?? 0) + 1; }
          if (++done === total) finish();
        });
      });
      req.on('error', () => { errors++; if (++done === total) finish(); });
      req.end();
    };
    const timer = setInterval(() => {
      const now = performance.now();
      // Request k is due at start + k/rate.
      const due = Math.min(total, Math.floor(((now - start) / 1000) * o.rate) + 1);
      for (; sent < due; sent++) fire();
      if (sent >= total) clearInterval(timer);
    }, 1);
  });
  if (o.warmup) await once(o.warmup, false);
  const r = await once(o.duration, true);
  agent.destroy();
  return r;
}

/** Several runs as one: summed counts, merged latency samples. */
export function mergeResults(rs: LoadResult[]): LoadResult {
  const n = rs.reduce((a, r) => a + r.samples.length, 0);
  const all = new Float64Array(n);
  let o = 0;
  for (const r of rs) { all.set(r.samples, o); o += r.samples.length; }
  all.sort();
  const statuses: Record<string, number> = {};
  for (const r of rs) for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  const seconds = rs.reduce((a, r) => a + r.seconds, 0);
  const ok = rs.reduce((a, r) => a + r.ok, 0);
  return {
    rps: rs.reduce((a, r) => a + r.rps * r.seconds, 0) / seconds,
    p50: percentile(all, 50), p99: percentile(all, 99), max: n ? all[n - 1]! : NaN,
    ok, non2xx: rs.reduce((a, r) => a + r.non2xx, 0), errors: rs.reduce((a, r) => a + r.errors, 0), statuses, seconds, samples: all,
  };
}

// `npx tsx bench/ws-connections.ts [--connections 10000] [--concurrency 256] [--sources 16] [--token-share 0.5]`
//
// Can one gatehouse instance hold N concurrent, identified Moonraker websocket
// connections, and what does each cost? The server runs in a child process (this
// same file with --serve) and reports its memory over IPC after a full GC:
// before any connection, with all N open and identified, and after they close.
// The parent opens the N sockets (spread over source addresses 127.0.0.x so no
// single address/port space runs out), identifies each with
// server.connection.identify (a share with a user's access token, the rest with
// the API key), measures the connect+identify rate, checks every socket is still
// served, times one notification to all N, closes them, and prints a table.
// A benchmark, not a test: nothing here asserts on timings.
import { fork, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';

const { values: flags } = parseArgs({
  options: {
    serve: { type: 'boolean', default: false },
    connections: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '256' },
    sources: { type: 'string', default: '16' },
    'token-share': { type: 'string', default: '0.5' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

const SELF = fileURLToPath(import.meta.url);

/** The soft "Max open files" of this process. */
function fdLimit(): { soft: number; hard: number } {
  const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files')) ?? '';
  const [soft, hard] = line.replace('Max open files', '').trim().split(/\s+/).map((v) => (v === 'unlimited' ? Infinity : Number(v)));
  return { soft: soft ?? 1024, hard: hard ?? 1024 };
}

function gcFn(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

// ---------------------------------------------------------------- server side

interface Stats { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number; connections: number; cpuUs: number }

async function serve(): Promise<void> {
  const { createGatehouse } = await import('../src/server/gatehouse.js');
  const gc = gcFn();
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-ws-'));
  const n = Number(flags.connections);
  const gh = await createGatehouse({
    gatehouse: { host: '0.0.0.0', port: 0, data_dir: dataDir, log_level: 'warn', grafana_enabled: false }, // loopback sources 127.0.0.x all reach it
    // the per-address caps off: the benchmark's clients share a few loopback addresses
    limits: { ws_max_connections: n + 1000, ws_ping_interval_ms: 30_000, ws_max_connections_per_ip: 0, ws_max_unauthenticated_per_ip: 0 },
    authorization: { oneshot_rate_per_minute: 600 },
  });
  const { port } = await gh.listen();
  const user = await gh.core.accounts.create({ username: 'bench', password: 'bench-password', actor: null });
  const hub = (gh.app as unknown as { moonrakerWebsocket: { size: number } }).moonrakerWebsocket;
  const stats = (): Stats => {
    const c = process.cpuUsage(); // read before the GCs below, which are the benchmark's own cost
    for (let i = 0; i < 3; i++) gc();
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, connections: hub.size, cpuUs: c.user + c.system };
  };
  process.on('message', async (msg: any) => {
    if (msg?.type === 'stats') process.send!({ type: 'stats', stats: stats() });
    if (msg?.type === 'cpu') { const c = process.cpuUsage(); process.send!({ type: 'cpu', us: c.user + c.system }); }
    if (msg?.type === 'notify') {
      await gh.core.accounts.create({ username: msg.username, password: 'x', actor: null });
      process.send!({ type: 'notified' });
    }
    if (msg?.type === 'stop') {
      await gh.close();
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    }
  });
  process.send!({ type: 'ready', port, apiKey: gh.core.apiKey.get(), token: user.token, baseline: stats() });
}

// ---------------------------------------------------------------- client side

function startServer(): Promise<{ proc: ChildProcess; info: any; request: (m: object, reply: string) => Promise<any> }> {
  const proc = fork(SELF, ['--serve', '--connections', String(flags.connections)], {
    execArgv: ['--import', 'tsx', ...(process.env.WS_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.WS_BENCH_CPU_PROF}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiters: { type: string; resolve: (m: any) => void }[] = [];
  proc.on('message', (m: any) => {
    const i = waiters.findIndex((w) => w.type === m?.type);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(m);
  });
  const next = (type: string) => new Promise<any>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`server: no ${type} within 120 s`)), 120_000);
    waiters.push({ type, resolve: (m) => { clearTimeout(t); resolve(m); } });
  });
  proc.on('exit', (code) => { if (code) console.error(`server exited with ${code}`); });
  return next('ready').then((info) => ({ proc, info, request: (m: object, reply: string) => { const p = next(reply); proc.send(m); return p; } }));
}

interface Client { ws: WebSocket; pending: Map<number, (m: any) => void>; notified: boolean }

function connect(port: number, localAddress: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/websocket`, { localAddress, perMessageDeflate: false });
    const c: Client = { ws, pending: new Map(), notified: false };
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.method === 'notify_user_created') { c.notified = true; onNotified?.(); return; }
      const r = c.pending.get(m.id);
      if (r) { c.pending.delete(m.id); r(m); }
    });
    ws.once('open', () => resolve(c));
    ws.once('error', reject);
  });
}

let onNotified: (() => void) | undefined;
let ids = 1;

function call(c: Client, method: string, params?: object): Promise<any> {
  const id = ids++;
  return new Promise((resolve) => {
    c.pending.set(id, resolve);
    c.ws.send(JSON.stringify({ jsonrpc: '2.0', method, params, id }));
  });
}

const MiB = 1024 * 1024;
const kib = (b: number) => (b / 1024).toFixed(2);
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main(): Promise<void> {
  const n = Number(flags.connections);
  const concurrency = Number(flags.concurrency);
  const sources = Math.max(1, Math.min(254, Number(flags.sources)));
  const tokenShare = Number(flags['token-share']);
  const { soft, hard } = fdLimit();
  const need = n + 256;
  if (soft < need) {
    if (hard < need) throw new Error(`ulimit -n is ${soft} (hard ${hard}); ${n} connections need about ${need} descriptors per process`);
    // Re-run with the soft limit raised to what is needed (the server child inherits it).
    console.error(`[bench] raising ulimit -n from ${soft} to ${need}`);
    execFileSync('sh', ['-c', `ulimit -n ${need} && exec "$@"`, 'sh', process.execPath, ...process.execArgv, SELF, ...process.argv.slice(2)], { stdio: 'inherit' });
    return;
  }
  console.error(`[bench] ulimit -n ${soft}; ${n} connections from ${sources} source addresses, ${concurrency} at a time`);

  const server = await startServer();
  const { port, apiKey, token } = server.info;
  const baseline: Stats = server.info.baseline;

  const clients: Client[] = new Array(n);
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      const i = next++;
      const start = performance.now();
      try {
        const c = await connect(port, `127.0.0.${1 + (i % sources)}`);
        const creds = i < n * tokenShare ? { access_token: token } : { api_key: apiKey };
        const r = await call(c, 'server.connection.identify', { client_name: 'bench', version: '1', type: 'other', url: 'bench', ...creds });
        if (!r.result?.connection_id) throw new Error(JSON.stringify(r));
        clients[i] = c;
        latencies.push(performance.now() - start);
      } catch (err) {
        failures++;
        if (failures <= 5) console.error(`[bench] connection ${i} failed: ${(err as Error).message}`);
      }
      if ((i + 1) % 2000 === 0) console.error(`[bench] ${i + 1} connected`);
    }
  }));
  const openMs = performance.now() - t0;
  const opened = clients.filter(Boolean);

  const loaded = await server.request({ type: 'stats' }, 'stats');
  const full: Stats = loaded.stats;

  // Every socket still served: one request on each, all at once.
  const cpu1 = (await server.request({ type: 'cpu' }, 'cpu')).us;
  const t1 = performance.now();
  const answers = await Promise.all(opened.map((c) => call(c, 'access.get_user')));
  const roundMs = performance.now() - t1;
  const roundCpu = (await server.request({ type: 'cpu' }, 'cpu')).us - cpu1;
  const served = answers.filter((a) => a.result?.username).length;

  // One notification to all of them.
  let got = 0;
  const allNotified = new Promise<void>((resolve) => { onNotified = () => { if (++got === opened.length) resolve(); }; });
  const t2 = performance.now();
  await server.request({ type: 'notify', username: 'bench-notify' }, 'notified');
  await Promise.race([allNotified, new Promise((r) => setTimeout(r, 60_000))]);
  const fanoutMs = performance.now() - t2;
  const cpu3 = (await server.request({ type: 'cpu' }, 'cpu')).us;

  for (const c of opened) c.ws.close(1000);
  await Promise.all(opened.map((c) => (c.ws.readyState === WebSocket.CLOSED ? undefined : new Promise((r) => c.ws.once('close', r)))));
  await new Promise((r) => setTimeout(r, 500));
  const after: Stats = (await server.request({ type: 'stats' }, 'stats')).stats;
  server.proc.send({ type: 'stop' });
  await new Promise((r) => server.proc.once('exit', r));

  latencies.sort((a, b) => a - b);
  const per = (k: keyof Stats) => (full[k] - baseline[k]) / Math.max(1, full.connections - baseline.connections);
  const rows: [string, string][] = [
    ['connections requested', String(n)],
    ['open and identified', `${opened.length} (server counted ${full.connections}; failures ${failures})`],
    ['identified with token / API key', `${Math.min(opened.length, Math.ceil(n * tokenShare))} / ${opened.length - Math.min(opened.length, Math.ceil(n * tokenShare))}`],
    ['connect+identify rate', `${Math.round(opened.length / (openMs / 1000))} /s (${(openMs / 1000).toFixed(2)} s for all, ${concurrency} in flight)`],
    ['server CPU per connect+identify', `${((full.cpuUs - baseline.cpuUs) / Math.max(1, opened.length)).toFixed(0)} µs (user+system; wall-clock rates depend on what else the machine runs)`],
    ['connect+identify latency p50 / p99 / max', `${pct(latencies, 50).toFixed(1)} / ${pct(latencies, 99).toFixed(1)} / ${latencies.at(-1)!.toFixed(1)} ms`],
    ['server RSS before / with all open / after close', `${(baseline.rss / MiB).toFixed(1)} / ${(full.rss / MiB).toFixed(1)} / ${(after.rss / MiB).toFixed(1)} MiB`],
    ['server heap used before / with all open / after close', `${(baseline.heapUsed / MiB).toFixed(1)} / ${(full.heapUsed / MiB).toFixed(1)} / ${(after.heapUsed / MiB).toFixed(1)} MiB`],
    ['RSS per connection', `${kib(per('rss'))} KiB`],
    ['JS heap per connection', `${kib(per('heapUsed'))} KiB`],
    ['external + array buffers per connection', `${kib(per('external'))} + ${kib(per('arrayBuffers'))} KiB`],
    ['one request on every socket at once', `${served}/${opened.length} answered in ${roundMs.toFixed(0)} ms; server CPU ${(roundCpu / Math.max(1, opened.length)).toFixed(1)} µs per request`],
    ['notify_user_created to every socket', `${got}/${opened.length} in ${fanoutMs.toFixed(0)} ms (includes creating the user: one argon2id hash); server CPU ${((cpu3 - cpu1 - roundCpu) / 1000).toFixed(0)} ms`],
    ['connections left after close', String(after.connections)],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  console.log(`\nMoonraker websocket: ${n} concurrent identified connections (node ${process.version}, server in a child process, memory after full GC)\n`);
  console.log(`| ${'measure'.padEnd(w)} | value |`);
  console.log(`|${'-'.repeat(w + 2)}|-------|`);
  for (const [k, v] of rows) console.log(`| ${k.padEnd(w)} | ${v} |`);
}

if (flags.help) {
  console.log(readFileSync(SELF, 'utf8').split('\n').filter((l) => l.startsWith('//')).join('\n'));
} else if (flags.serve) {
  await serve();
} else {
  await main();
}

// `npm run bench`: gatehouse against a bare node:http baseline measured in the
// same run. Servers run in child processes; the load generator (autocannon, and
// an open-loop probe) runs here. Prints one table; `--record LABEL` also puts it
// on top of bench/RESULTS.md. See bench/README.md.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DIR, PROFILE_DIR, startChild, type Child } from './lib/child.js';
import { bundleServer } from './lib/bundle.js';
import { ROOT } from './lib/revs.js';
import { mergeResults, probe, runLoad, type LoadResult, type LoadSpec } from './lib/load.js';
import { wsLoad, type WsLoadSpec } from './lib/ws-load.js';
import { bareStartup, gatehouseStartup, median, seededDataDir } from './startup.js';
import { floorMemory, idleMemory, seededMemory, type MemoryResult } from './memory.js';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '32' },
    logins: { type: 'string', default: '16' },
    'probe-rate': { type: 'string', default: '200' },
    'upstream-us': { type: 'string', default: '150' },
    only: { type: 'string' },
    grafana: { type: 'string', default: 'auto' },
    'log-level': { type: 'string' },
    'startup-runs': { type: 'string', default: '5' },
    'ws-connections': { type: 'string', default: '10000' },
    'startup-users': { type: 'string', default: '10000' },
    'scale-users': { type: 'string', default: '100000' },
    'settle': { type: 'string', default: '25' },
    profile: { type: 'boolean', default: false },
    'profile-all': { type: 'boolean', default: false },
    record: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

if (flags.help) {
  console.log(readFileSync(join(BENCH_DIR, 'README.md'), 'utf8'));
  process.exit(0);
}

const num = (name: keyof typeof flags) => {
  const n = Number(flags[name]);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: expected a number, got "${flags[name]}"`);
  return n;
};
const DURATION = num('duration');
const WARMUP = num('warmup');
const ROUNDS = Math.max(1, Math.round(num('rounds')));
const CONNECTIONS = num('connections');
const LOGINS = num('logins');
const PROBE_RATE = num('probe-rate');
const UPSTREAM_US = num('upstream-us');
const STARTUP_RUNS = num('startup-runs');
const WS_CONNECTIONS = num('ws-connections');
const STARTUP_N = num('startup-users');
const SCALE_N = num('scale-users');
const SETTLE_MS = num('settle') * 1000;
const ONLY = (flags.only ?? '0,1,2,3,4,5,6,7,8,9').split(',').map((s) => s.trim());
/** `--only 1` selects 1a, 1b, 1c; `--only 1b` selects 1b (and so group 1). */
const want = (id: string) => ONLY.some((o) => o === id || o.startsWith(id) || id.startsWith(o));
/** --profile: CPU profiles of each server over each scenario's measured window (bench/profiles/<scenario>-<server>.cpuprofile). */
const PROFILE = flags.profile;
/** --profile-all: whole-process profiles (node --cpu-prof), start-up included. */
const PROFILE_ALL = flags['profile-all'];
const LOG_LEVEL = flags['log-level'];

const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);

// ---- the table ------------------------------------------------------------

interface Row {
  scenario: string;
  rps?: number;
  p50?: number;
  p99?: number;
  ratio?: number;
  /** Server CPU time per request, µs (all threads of the server process). */
  cpuUs?: number;
  target?: string;
  pass?: boolean;
  note?: string;
}
const rows: Row[] = [];
const add = (r: Row) => { rows.push(r); log(`${r.scenario}: ${fmtRow(r).slice(1).join(' | ')}`); };

const f0 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '—' : Math.round(n).toLocaleString('en-US'));
const f2 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '—' : n < 10 ? n.toFixed(2) : n.toFixed(1));
function fmtRow(r: Row): string[] {
  const verdict = r.pass === undefined ? '' : r.pass ? 'yes' : '**NO**';
  return [r.scenario, f0(r.rps), f2(r.p50), f2(r.p99), r.ratio === undefined ? '—' : r.ratio.toFixed(2), r.target ?? '', verdict, f0(r.cpuUs), r.note ?? ''];
}
function table(): string {
  const head = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'ratio', 'target', 'met', 'server CPU µs/req', 'notes'];
  const lines = [head, head.map(() => '---'), ...rows.map(fmtRow)];
  return lines.map((l) => `| ${l.join(' | ')} |`).join('\n');
}

function problems(r: LoadResult): string | undefined {
  const bad = r.non2xx + r.errors;
  if (!bad) return undefined;
  const codes = Object.entries(r.statuses).map(([s, n]) => `${s}×${n}`).join(' ');
  return `${bad} failed (${[codes, r.errors ? `errors×${r.errors}` : ''].filter(Boolean).join(' ')})`;
}

// ---- helpers ----------------------------------------------------------------

type GatehouseInfo = { port: number; jwt: string; apiKey: string; namedKey: string; user: string; password: string; loginUsers: string[]; grafana?: { apiKey: string; saToken: string }; grafanaError?: string };

async function gatehouse(name: string, spec: { trustedClients?: string[]; grafana?: boolean; loginUsers?: number; gateway?: string }): Promise<Child<GatehouseInfo>> {
  return startChild<GatehouseInfo>(await bundleServer(ROOT, 'gatehouse.ts'), [JSON.stringify({ ...spec, logLevel: LOG_LEVEL })], { name, profile: PROFILE_ALL });
}

const load = (port: number, path: string, o: Partial<LoadSpec> = {}) =>
  runLoad({ ...o, url: `http://127.0.0.1:${port}${path}`, connections: o.connections ?? CONNECTIONS, duration: o.duration ?? DURATION, warmup: WARMUP });

function grafanaLanded(): boolean {
  try {
    return execFileSync('git', ['ls-files', 'src/faces/grafana/http.ts'], { cwd: join(BENCH_DIR, '..'), encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
}

function machine(): string {
  const cpus = os.cpus();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: join(BENCH_DIR, '..'), encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', 'src'], { cwd: join(BENCH_DIR, '..'), encoding: 'utf8' }).trim();
    if (dirty) commit += ' + uncommitted src changes';
  } catch { /* not a checkout */ }
  return `nproc ${os.availableParallelism()}, ${cpus[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}; ` +
    `load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; commit ${commit}; ` +
    `${CONNECTIONS} connections, ${DURATION} s per scenario (in ${ROUNDS} rounds alternating with the baseline) after ${WARMUP} s warm-up${LOG_LEVEL ? `; server log_level ${LOG_LEVEL}` : ''}`;
}

// ---- scenarios ----------------------------------------------------------------

const header = machine();
const startedAt = new Date();
log(header);
const httpScenarios = want('0') || want('1') || want('2') || want('7');

// The baseline server lives through scenarios 1 and 2. Each scenario is measured
// in ROUNDS slices alternating with slices of the baseline (B S, S B, B S, …), and
// its ratio is the median of the per-round ratios: a load change on the shared
// machine hits both sides of a round alike.
let bare: Child<{ port: number }> | undefined;
const baseSlices: (LoadResult & { cpuUs: number })[] = [];

/** A load run, with the server's CPU time per 2xx response (µs): a cost figure less disturbed by neighbours than req/s. */
async function measured(child: Child<unknown>, spec: LoadSpec): Promise<LoadResult & { cpuUs: number }> {
  const c0 = await child.cpu();
  const r = await runLoad(spec);
  const c1 = await child.cpu();
  return { ...r, cpuUs: (c1 - c0) / Math.max(1, r.ok + r.non2xx) };
}

/** Starts window profiles of these children; the returned function stops them and writes bench/profiles/<id>-<label>.cpuprofile. */
async function profileWindows(id: string, who: [Child<unknown>, string][]): Promise<() => Promise<void>> {
  mkdirSync(PROFILE_DIR, { recursive: true });
  const stops = await Promise.all(who.map(([c, label]) => c.profileWindow(join(PROFILE_DIR, `${id}-${label}.cpuprofile`))));
  return async () => {
    await Promise.all(stops.map((s) => s()));
    log(`profiles: ${who.map(([, label]) => join(PROFILE_DIR, `${id}-${label}.cpuprofile`)).join(', ')}`);
  };
}

/** What a scenario's ratio is measured against: the bare node:http baseline unless said otherwise (7a: the upstream itself). */
interface Reference { child: Child<{ port: number }>; path: string; headers?: Record<string, string>; label: string }

async function vsBaseline(server: Child<unknown>, id: string, scenario: string, path: string, headers: Record<string, string>, min: number, note?: string, ref?: Reference) {
  if (!want(id)) return;
  scenario = `${id} ${scenario}`;
  const port = (server.info as { port: number }).port;
  const slice = DURATION / ROUNDS;
  const refChild = ref?.child ?? bare!;
  const baseSpec = { url: `http://127.0.0.1:${refChild.info.port}${ref?.path ?? '/access/user'}`, headers: ref?.headers, connections: CONNECTIONS, duration: slice };
  const spec = { url: `http://127.0.0.1:${port}${path}`, headers, connections: CONNECTIONS, duration: slice };
  await runLoad({ ...spec, duration: WARMUP });
  const stopProfiles = PROFILE ? await profileWindows(id, [[server, 'server'], [refChild, ref ? 'reference' : 'baseline']]) : undefined;
  const ratios: number[] = [];
  const mine: (LoadResult & { cpuUs: number })[] = [];
  const theirs: (LoadResult & { cpuUs: number })[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    let b, r;
    if (i % 2 === 0) { b = await measured(refChild, baseSpec); r = await measured(server, spec); } else { r = await measured(server, spec); b = await measured(refChild, baseSpec); }
    if (!ref) baseSlices.push(b);
    theirs.push(b);
    mine.push(r);
    ratios.push(r.rps / b.rps);
  }
  await stopProfiles?.();
  const r = mergeResults(mine);
  const ratio = median(ratios);
  const cpu = median(mine.map((x) => x.cpuUs));
  const baseCpu = median(theirs.map((x) => x.cpuUs));
  add({
    scenario, rps: r.rps, p50: r.p50, p99: r.p99, ratio, cpuUs: cpu, target: `≥ ${min.toFixed(2)} × ${ref?.label ?? 'baseline'}`, pass: ratio >= min,
    note: [problems(r), `${ref?.label ?? 'baseline'} alongside ${f0(mergeResults(theirs).rps)}/s at ${baseCpu.toFixed(0)} µs/req`, `round ratios ${ratios.map((x) => x.toFixed(2)).join(' ')}`, note].filter(Boolean).join('; '),
  });
}

/**
 * 7: gatehouse as a gateway in front of a Node upstream that answers as fast
 * as Moonraker would (servers/upstream.ts, --upstream-us), and /auth/verify alone. 7a's throughput is measured
 * against the upstream itself; its added latency is the p99 difference at a
 * fixed rate (open loop, so neither side's queueing under saturation counts).
 */
async function gateway() {
  const upstream = await startChild<{ port: number }>(await bundleServer(ROOT, 'upstream.ts'), [String(UPSTREAM_US)], { name: 'upstream', profile: PROFILE_ALL });
  const gh = await gatehouse('gateway', { gateway: `http://127.0.0.1:${upstream.info.port}` });
  try {
    const auth = { authorization: `Bearer ${gh.info.jwt}` };
    await vsBaseline(gh, '7a', `gateway GET /server/info, Bearer JWT, to a Node upstream at Moonraker's pace (${UPSTREAM_US} µs/req)`, '/server/info', auth, 0.8, undefined,
      { child: upstream, path: '/server/info', headers: auth, label: 'upstream direct' });
    if (want('7a')) {
      const rate = PROBE_RATE * 2.5;
      const duration = Math.max(DURATION / 2, 3);
      const direct = `http://127.0.0.1:${upstream.info.port}/server/info`;
      const via = `http://127.0.0.1:${gh.info.port}/server/info`;
      await probe({ url: via, headers: auth, rate, duration: WARMUP });
      const adds: number[] = [];
      let d!: LoadResult, g!: LoadResult;
      for (let i = 0; i < 4; i++) { // direct, gateway, then gateway, direct …: a drift of the host hits both alike
        if (i % 2 === 0) { d = await probe({ url: direct, headers: auth, rate, duration }); g = await probe({ url: via, headers: auth, rate, duration }); } else { g = await probe({ url: via, headers: auth, rate, duration }); d = await probe({ url: direct, headers: auth, rate, duration }); }
        adds.push(g.p99 - d.p99);
      }
      const added = median(adds);
      add({
        scenario: `7a gateway p99 added latency at ${rate}/s (open loop)`, rps: g.rps, p50: g.p50, p99: g.p99, target: 'p99 added < 2 ms', pass: added < 2,
        note: [problems(g), `added p99 ${adds.map((x) => x.toFixed(2)).join(', ')} ms (gateway − direct, ${adds.length} rounds, median taken); last round direct p50 ${f2(d.p50)} ms, p99 ${f2(d.p99)} ms`].filter(Boolean).join('; '),
      });
    }
    if (want('7c')) await wsRoundTrips(gh, upstream);
  } finally {
    await Promise.all([gh.stop(), upstream.stop()]);
  }
  if (!want('7b')) return;
  // /auth/verify alone: no gateway, both faces on (as shipped), so a JWT's user also gets its Grafana role.
  const verify = await gatehouse('verify', { grafana: true });
  try {
    await vsBaseline(verify, '7b', 'GET /auth/verify alone, Bearer JWT (both faces on)', '/auth/verify', { authorization: `Bearer ${verify.info.jwt}` }, 0.7);
  } finally {
    await verify.stop();
  }
}

/**
 * 7c: JSON-RPC round trips (`server.info`) on CONNECTIONS websockets, each
 * sending its next call when the last one answered: through the gateway (the
 * API key on the upgrade; each socket its own upstream websocket) against the
 * same calls straight to the upstream, in rounds alternating the two.
 */
async function wsRoundTrips(gh: Child<GatehouseInfo>, upstream: Child<{ port: number }>) {
  const direct: WsLoadSpec = { url: `ws://127.0.0.1:${upstream.info.port}/websocket`, connections: CONNECTIONS, duration: DURATION / ROUNDS, method: 'server.info' };
  const via: WsLoadSpec = { ...direct, url: `ws://127.0.0.1:${gh.info.port}/websocket`, headers: { 'x-api-key': gh.info.apiKey } };
  const timed = async (child: Child<unknown>, spec: WsLoadSpec) => {
    const c0 = await child.cpu();
    const r = await wsLoad(spec);
    return { ...r, cpuUs: ((await child.cpu()) - c0) / Math.max(1, r.ok + r.non2xx) };
  };
  await wsLoad({ ...via, duration: WARMUP });
  const ratios: number[] = [];
  const mine: (LoadResult & { cpuUs: number })[] = [];
  const theirs: LoadResult[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    let d, g;
    if (i % 2 === 0) { d = await timed(upstream, direct); g = await timed(gh, via); } else { g = await timed(gh, via); d = await timed(upstream, direct); }
    mine.push(g);
    theirs.push(d);
    ratios.push(g.rps / d.rps);
  }
  const r = mergeResults(mine);
  const dm = mergeResults(theirs);
  add({
    scenario: `7c websocket gateway: JSON-RPC server.info round trips, X-Api-Key upgrade, to the Node upstream (${UPSTREAM_US} µs/call)`, rps: r.rps, p50: r.p50, p99: r.p99,
    ratio: median(ratios), cpuUs: median(mine.map((x) => x.cpuUs)), target: '(no target; ratio to upstream direct)',
    note: [problems(r), `upstream direct ${f0(dm.rps)} calls/s, p50 ${f2(dm.p50)} ms, p99 ${f2(dm.p99)} ms`, `round ratios ${ratios.map((x) => x.toFixed(2)).join(' ')}`, 'calls/s; CPU is gatehouse\'s per call'].filter(Boolean).join('; '),
  });
}

async function moonraker() {
  const gh = await gatehouse('moonraker', { trustedClients: ['127.0.0.0/8'] });
  try {
    const { jwt, apiKey, namedKey } = gh.info;
    await vsBaseline(gh, '1a', 'Moonraker GET /access/user, Bearer JWT', '/access/user', { authorization: `Bearer ${jwt}` }, 0.7);
    await vsBaseline(gh, '1b', 'Moonraker GET /access/user, X-Api-Key', '/access/user', { 'x-api-key': apiKey }, 0.7);
    await vsBaseline(gh, '1c', 'Moonraker GET /access/user, trusted client (127.0.0.0/8)', '/access/user', {}, 0.7);
    await vsBaseline(gh, '1d', 'Moonraker GET /access/user, named X-Api-Key (scope read)', '/access/user', { 'x-api-key': namedKey }, 0.7);
  } finally {
    await gh.stop();
  }
}

async function grafana() {
  const mode = flags.grafana;
  const landed = grafanaLanded();
  const names: [string, string][] = [['2a', 'Grafana GET /api/org, Bearer API key'], ['2b', 'Grafana GET /api/org, Bearer service-account token'], ['2c', 'Grafana GET /api/org, Basic api_key:<key>'], ['2d', 'Grafana GET /api/org, Basic user:password (cached after 1st)']];
  const na = (why: string) => { for (const [id, n] of names) if (want(id)) add({ scenario: `${id} ${n}`, note: `n/a (${why})` }); };
  if (mode === 'off' || (mode === 'auto' && !landed)) {
    na(mode === 'off' ? '--grafana off' : 'face not landed');
    return;
  }
  const gh = await gatehouse('grafana', { grafana: true });
  try {
    const { grafana: g, grafanaError, user, password } = gh.info;
    if (!g) return na(`set-up failed: ${grafanaError}`);
    const note = landed ? undefined : 'working tree, face not committed';
    const basic = (u: string, p: string) => 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64');
    await vsBaseline(gh, ...names[0]!, '/api/org', { authorization: `Bearer ${g.apiKey}` }, 0.7, note);
    await vsBaseline(gh, ...names[1]!, '/api/org', { authorization: `Bearer ${g.saToken}` }, 0.7, note);
    await vsBaseline(gh, ...names[2]!, '/api/org', { authorization: basic('api_key', g.apiKey) }, 0.7, note);
    await vsBaseline(gh, ...names[3]!, '/api/org', { authorization: basic(user, password) }, 0.5, note);
  } finally {
    await gh.stop();
  }
}

async function logins() {
  // Login runs are long (each login is a ~10–20 ms hash): at least 3 s per slice.
  const slice = Math.max(DURATION / ROUNDS, 3);
  const raw = await startChild<{}>(await bundleServer(ROOT, 'argon2-rate.ts'), [], { name: 'argon2', profile: PROFILE_ALL });
  const gh = await gatehouse('logins', { loginUsers: LOGINS });
  const settle = () => new Promise((r) => setTimeout(r, 1500)); // let logins cut off by the end of a run finish (they still count as pending attempts)
  try {
    const { port, jwt, loginUsers, password } = gh.info;
    const loginReq = {
      url: `http://127.0.0.1:${port}/access/login`, method: 'POST' as const, headers: { 'content-type': 'application/json' },
      bodies: loginUsers.map((username) => JSON.stringify({ username, password })), connections: LOGINS,
    };
    if (want('3')) {
      // Rounds alternating the raw hash rate and the login rate (R L, L R, …), as the HTTP scenarios do with their baseline.
      await raw.request({ type: 'run', concurrency: LOGINS, duration: WARMUP }, 'result');
      await runLoad({ ...loginReq, duration: WARMUP });
      await settle();
      const stopProfile = PROFILE ? await profileWindows('3-login', [[gh, 'server']]) : undefined;
      const rawRates: number[] = [];
      const ratios: number[] = [];
      const mine: LoadResult[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const rawRun = async () => (await raw.request<{ rate: number }>({ type: 'run', concurrency: LOGINS, duration: slice }, 'result')).rate;
        const loginRun = async () => { const r = await runLoad({ ...loginReq, duration: slice }); await settle(); return r; };
        let rr: number, lr: LoadResult;
        if (i % 2 === 0) { rr = await rawRun(); lr = await loginRun(); } else { lr = await loginRun(); rr = await rawRun(); }
        rawRates.push(rr);
        mine.push(lr);
        ratios.push(lr.rps / rr);
      }
      await stopProfile?.();
      const r = mergeResults(mine);
      const ratio = median(ratios);
      add({ scenario: `3 raw argon2id verify, ${LOGINS} concurrent (ARGON2_PARAMS), own process`, rps: rawRates.reduce((a, b) => a + b, 0) / rawRates.length, note: 'reference for 3' });
      add({
        scenario: `3 Moonraker POST /access/login, ${LOGINS} connections over ${LOGINS} accounts`, rps: r.rps, p50: r.p50, p99: r.p99, ratio,
        target: '≥ 0.90 × raw hash rate', pass: ratio >= 0.9, note: [problems(r), `round ratios ${ratios.map((x) => x.toFixed(2)).join(' ')}`].filter(Boolean).join('; '),
      });
    }
    if (want('4')) {
      const url = `http://127.0.0.1:${port}/access/user`;
      const headers = { authorization: `Bearer ${jwt}` };
      const duration = Math.max(DURATION, 5);
      await probe({ url, headers, rate: PROBE_RATE, duration: WARMUP });
      await gh.loopDelay();
      const quiet = await probe({ url, headers, rate: PROBE_RATE, duration });
      const quietLoop = await gh.loopDelay();
      add({ scenario: `4 GET /access/user (JWT) at ${PROBE_RATE}/s, quiet`, rps: quiet.rps, p50: quiet.p50, p99: quiet.p99, note: [problems(quiet), `reference for 4; server event-loop delay p99 ${f2(quietLoop.p99)} ms, max ${f2(quietLoop.max)} ms`].filter(Boolean).join('; ') });
      const storm = runLoad({ ...loginReq, duration: duration + WARMUP + 2 });
      await new Promise((r) => setTimeout(r, (WARMUP + 1) * 1000)); // the storm's start, then its steady state
      await gh.loopDelay();
      const stopProfile = PROFILE ? await profileWindows('4-storm', [[gh, 'server']]) : undefined;
      const during = await probe({ url, headers, rate: PROBE_RATE, duration });
      await stopProfile?.();
      const loop = await gh.loopDelay();
      const s = await storm;
      add({
        scenario: `4 GET /access/user (JWT) at ${PROBE_RATE}/s, beside a login storm (${LOGINS} conn)`, rps: during.rps, p50: during.p50, p99: during.p99,
        target: 'p99 < 10 ms', pass: during.p99 < 10, note: [problems(during), `storm: ${f0(s.rps)} logins/s${problems(s) ? ` (${problems(s)})` : ''}; max ${f2(during.max)} ms; server event-loop delay p99 ${f2(loop.p99)} ms, max ${f2(loop.max)} ms`].filter(Boolean).join('; '),
      });
    }
  } finally {
    await Promise.all([gh.stop(), raw.stop()]);
  }
}

async function websocket() {
  // The websocket face's own benchmark (its engineer's bench/ws-connections.ts), run as
  // it is and read from its table, so both stay one measurement.
  const script = join(BENCH_DIR, 'ws-connections.ts');
  const names = ['5 websocket connect + identify, 10,000 connections', '5 websocket memory per identified connection at 10,000'];
  if (!existsSync(script)) {
    for (const n of names) add({ scenario: n, note: 'n/a (bench/ws-connections.ts not landed)' });
    return;
  }
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', script, '--connections', String(WS_CONNECTIONS)], { cwd: join(BENCH_DIR, '..'), timeout: 15 * 60_000, maxBuffer: 1 << 24 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr.slice(-2000)}`)) : resolve(stdout)));
  });
  const row = (measure: string) => {
    const line = out.split('\n').find((l) => l.startsWith(`| ${measure} `));
    return line?.split('|')[2]?.trim();
  };
  const nums = (measure: string) => (row(measure) ?? '').match(/[\d.]+/g)?.map(Number) ?? [];
  const [rate] = nums('connect+identify rate');
  const [p50, p99] = nums('connect+identify latency p50 / p99 / max');
  const [cpu] = nums('server CPU per connect+identify');
  const [rss] = nums('RSS per connection');
  const [heap] = nums('JS heap per connection');
  const [open] = nums('open and identified');
  if (rate === undefined || rss === undefined) {
    for (const n of names) add({ scenario: n, note: 'n/a (ws-connections.ts output not understood)' });
    log(out);
    return;
  }
  const n = WS_CONNECTIONS.toLocaleString('en-US');
  add({ scenario: names[0]!.replace('10,000', n), rps: rate, p50, p99, cpuUs: cpu, note: `${open} open and identified; connects/s, latency of connect+identify (256 in flight)` });
  add({ scenario: names[1]!.replace('10,000', n), target: '≤ 20 KiB/conn', pass: rss <= 20, note: `RSS ${rss} KiB/conn, JS heap ${heap} KiB/conn (after full GC)` });
}

async function startup() {
  const seed = await seededDataDir(STARTUP_N, STARTUP_N, log);
  // What is timed is the installed program: bin/gatehouse.js runs the bundle while it is up to date.
  const built = spawnSync(process.execPath, [join(BENCH_DIR, '../scripts/build.js')], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
  const bare = await bareStartup(STARTUP_RUNS + 1);
  bare.shift(); // the first run warms the file cache
  add({ scenario: `6 start-up floor: node + bare node:http, spawn → first 200`, p50: median(bare), p99: Math.max(...bare), note: `ms, median and worst of ${bare.length}` });
  const empty = await seededDataDir(0, 0, log);
  const e = await gatehouseStartup(empty, STARTUP_RUNS + 1);
  e.shift();
  add({ scenario: `6 gatehouse serve, empty store, spawn → first 200`, p50: median(e), p99: Math.max(...e), note: `ms, median and worst of ${e.length}` });
  const g = await gatehouseStartup(seed, STARTUP_RUNS);
  add({
    scenario: `6 gatehouse serve, ${f0(seed.users)} users + ${f0(seed.keys)} keys, spawn → first 200`, p50: median(g), p99: Math.max(...g),
    target: '< 500 ms', pass: median(g) < 500, note: `ms, median and worst of ${g.length}; bin/gatehouse.js → dist/gatehouse.cjs (esbuild bundle, V8 code cache from an earlier start); first 200 = GET /access/user with X-Api-Key`,
  });
}

async function memory() {
  const built = spawnSync(process.execPath, [join(BENCH_DIR, '../scripts/build.js'), '--cli'], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
  if (want('8')) {
    const { first, restart } = await idleMemory(SETTLE_MS);
    const note = (m: MemoryResult) => `RSS ${m.rssMiB.toFixed(1)} MiB (anonymous ${m.anonMiB.toFixed(1)}, file-backed ${m.fileMiB.toFixed(1)}), ${m.threads} threads, ${SETTLE_MS / 1000} s after the first 200 (/proc/<pid>/status)`;
    add({ scenario: '8 idle memory, empty store, first start (bootstrap admin hashed)', target: '< 60 MiB', pass: first.rssMiB < 60, note: note(first) });
    add({ scenario: '8 idle memory, empty store, restart', target: '< 60 MiB', pass: restart.rssMiB < 60, note: note(restart) });
    const floors = await floorMemory(SETTLE_MS);
    add({ scenario: '8 floor: bare node:http, idle', note: note(floors.node) });
    add({ scenario: '8 floor: Fastify + zod + Kysely/better-sqlite3 + jose + ws + pino, bundled as gatehouse is (bench/servers/floor.ts), idle', note: note(floors.stack) });
  }
  if (want('9')) {
    const seed = await seededDataDir(SCALE_N, SCALE_N, log);
    const m = await seededMemory(seed, SETTLE_MS);
    add({
      scenario: `9 scale: ${f0(seed.users)} users + ${f0(seed.keys)} keys, spawn → first 200, then RSS`, p50: m.firstMs,
      target: '< 2,000 ms, < 250 MiB', pass: m.firstMs < 2000 && m.rssMiB < 250,
      note: `ms to the first 200; RSS ${m.rssMiB.toFixed(1)} MiB, ${m.threads} threads, ${SETTLE_MS / 1000} s after it`,
    });
  }
}

try {
  if (httpScenarios) {
    bare = await startChild<{ port: number }>(await bundleServer(ROOT, 'bare.ts'), [], { name: 'bare', profile: PROFILE_ALL });
    try {
      await runLoad({ url: `http://127.0.0.1:${bare.info.port}/access/user`, connections: CONNECTIONS, duration: WARMUP });
      if (want('0')) {
        const fy = await startChild<{ port: number }>(await bundleServer(ROOT, 'fastify.ts'), [], { name: 'fastify', profile: PROFILE_ALL });
        try {
          await vsBaseline(fy, '0', 'reference: bare Fastify 5, same JSON, no auth, no logger', '/access/user', {}, 0);
        } finally {
          await fy.stop();
        }
        rows.at(-1)!.target = undefined;
        rows.at(-1)!.pass = undefined;
      }
      if (want('1')) await moonraker();
      if (want('2')) await grafana();
      if (want('7')) await gateway();
    } finally {
      await bare.stop();
    }
    const b = mergeResults(baseSlices);
    if (b.ok) rows.unshift({ scenario: 'baseline: bare node:http, same JSON, no auth', rps: b.rps, p50: b.p50, p99: b.p99, ratio: 1, cpuUs: median(baseSlices.map((x) => x.cpuUs)), note: [problems(b), `all ${baseSlices.length} slices`].filter(Boolean).join('; ') });
  }
  if (want('3') || want('4')) await logins();
  if (want('5')) await websocket();
  if (want('6')) await startup();
  if (want('8') || want('9')) await memory();
} catch (err) {
  log(`failed: ${(err as Error).stack}`);
  process.exitCode = 1;
}

const out = `${table()}\n\nRatios to baseline: median over ${ROUNDS} rounds of (scenario req/s ÷ baseline req/s), each round measuring both back to back.`;
console.log(`\n${header}\n\n${out}`);
if (flags.json) console.log(JSON.stringify({ machine: header, date: startedAt.toISOString(), rows }, null, 2));

if (flags.record !== undefined) {
  // New tables go right under the marker, newest first; whatever is above it (notes, the optimisation log) stays put.
  const file = join(BENCH_DIR, 'RESULTS.md');
  const MARKER = '<!-- tables: newest first; `npm run bench -- --record LABEL` inserts here -->';
  const text = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmark results\n\n${MARKER}\n`;
  const at = text.includes(MARKER) ? text.indexOf(MARKER) + MARKER.length : text.length;
  const section = `\n\n## ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC — ${flags.record}\n\n${header}\n\n${out}\n`;
  writeFileSync(file, (text.includes(MARKER) ? text.slice(0, at) : `${text.trimEnd()}\n\n${MARKER}`) + section + text.slice(at).replace(/^\n+/, '\n'));
  log(`recorded in ${file}`);
}

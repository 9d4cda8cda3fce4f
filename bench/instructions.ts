// Diagnostic (not part of `npm run bench`): user-space instructions per request,
// counted by valgrind's callgrind. Unlike time, an instruction count does not
// move with what else the machine runs (same binary, same inputs: the same count
// to ±0.2 %), so a change of a few percent in the per-request cost of the hot
// path shows in one run. It leaves out the kernel (socket reads and writes: one
// instruction per syscall here) — compare revisions with it, and confirm with
// `npm run bench`.
//
//   npx tsx bench/instructions.ts [--revs HEAD~1,WORKTREE] [--only 1a,2d] [--refs] [--requests 10000]
//
// --refs adds the bare node:http baseline and bare Fastify. Each server runs
// under callgrind (about 50× slower); every scenario is warmed up first (JIT
// tiers settle after ~15,000 requests), then counted `--repeat` times.
import { readdirSync, readFileSync, mkdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { BENCH_DIR, startChild, type Child } from './lib/child.js';
import { bundleServer } from './lib/bundle.js';
import { exportRev, WORKTREE } from './lib/revs.js';
import { GATEHOUSE_SPEC, HTTP_SCENARIOS, type GatehouseInfo } from './lib/http-scenarios.js';

const { values } = parseArgs({
  options: {
    revs: { type: 'string', default: WORKTREE },
    only: { type: 'string', default: '1a,1b,1c,2a,2b,2c,2d' },
    refs: { type: 'boolean', default: false },
    requests: { type: 'string', default: '10000' },
    warmup: { type: 'string', default: '20000' },
    repeat: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
  },
});
const N = Number(values.requests), WARMUP = Number(values.warmup), REPEAT = Number(values.repeat), CONNECTIONS = Number(values.connections);
const only = values.only!.split(',');
const log = (s: string) => process.stderr.write(`[instructions] ${s}\n`);

const OUT = join(BENCH_DIR, '.cache', 'callgrind');
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

function underCallgrind<T>(script: string, args: string[], name: string): Promise<Child<T>> {
  const wrap = ['valgrind', '--tool=callgrind', '--smc-check=all-non-file', `--callgrind-out-file=${join(OUT, `${name}.%p`)}`];
  return startChild<T>(script, args, { name, wrap, timeoutMs: 600_000 });
}

async function fire(url: string, headers: Record<string, string>, amount: number): Promise<void> {
  const r = await new Promise<autocannon.Result>((resolve, reject) =>
    autocannon({ url, headers, amount, connections: CONNECTIONS, timeout: 120 }, (err, res) => (err ? reject(err) : resolve(res))));
  const bad = r.non2xx + r.errors + r.timeouts;
  if (bad) throw new Error(`${url}: ${bad} of ${amount} requests failed (${r.non2xx} not 2xx, ${r.errors} errors, ${r.timeouts} timeouts)`);
}

/** Instructions the child ran while serving `N` requests (after the warm-up), one figure per repeat. */
async function count(child: Child<unknown>, name: string, url: string, headers: Record<string, string>): Promise<number[]> {
  const pid = String(child.proc.pid);
  for (let done = 0; done < WARMUP; done += 5000) await fire(url, headers, Math.min(5000, WARMUP - done));
  const out: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    execFileSync('callgrind_control', ['-z', pid], { stdio: 'ignore' });
    await fire(url, headers, N);
    const before = new Set(readdirSync(OUT));
    execFileSync('callgrind_control', ['-d', pid], { stdio: 'ignore' });
    let file: string | undefined;
    for (let t = 0; t < 100 && !file; t++) {
      file = readdirSync(OUT).find((f) => f.startsWith(`${name}.${pid}.`) && !before.has(f));
      if (!file) await new Promise((r) => setTimeout(r, 100));
    }
    if (!file) throw new Error(`${name}: no callgrind dump`);
    const summary = /^summary: (\d+)/m.exec(readFileSync(join(OUT, file), 'utf8'));
    out.push(Number(summary![1]) / N);
  }
  return out;
}

const rows: [string, string, number[]][] = [];
// The least, and the most above it: a repeat that catches a major garbage collection only ever counts more.
const fmt = (xs: number[]) => `${Math.round(Math.min(...xs)).toLocaleString('en-US')}${xs.length > 1 ? ` (+${(((Math.max(...xs) - Math.min(...xs)) / Math.min(...xs)) * 100).toFixed(1)} %)` : ''}`;

if (values.refs) {
  for (const [name, script] of [['bare node:http', 'bare.ts'], ['bare Fastify', 'fastify.ts']] as const) {
    const id = name.replace(/\W+/g, '-');
    const c = await underCallgrind<{ port: number }>(await bundleServer(exportRev(WORKTREE), script), [], id);
    try {
      rows.push([name, '', await count(c, id, `http://127.0.0.1:${c.info.port}/access/user`, {})]);
      log(`${name}: ${fmt(rows.at(-1)![2])}`);
    } finally { await c.stop(); }
  }
}
for (const rev of values.revs!.split(',')) {
  const name = `rev-${rev.replace(/\W+/g, '-')}`;
  const c = await underCallgrind<GatehouseInfo>(await bundleServer(exportRev(rev), 'gatehouse.ts'), [JSON.stringify(GATEHOUSE_SPEC)], name);
  try {
    for (const [id, path, headersOf] of HTTP_SCENARIOS.filter(([id]) => only.includes(id))) {
      const headers = headersOf(c.info);
      if (!headers) continue;
      rows.push([id, rev, await count(c, name, `http://127.0.0.1:${c.info.port}${path}`, headers)]);
      log(`${id} ${rev}: ${fmt(rows.at(-1)![2])}`);
    }
  } finally { await c.stop(); }
}
console.log(`\nUser-space instructions per request (callgrind; least of ${REPEAT} × ${N} requests after ${WARMUP} warm-up, ${CONNECTIONS} connections; in brackets how far the most was above it):\n`);
console.log('| scenario | revision | instructions/request |\n|---|---|---|');
for (const [id, rev, xs] of rows) console.log(`| ${id} | ${rev} | ${fmt(xs)} |`);

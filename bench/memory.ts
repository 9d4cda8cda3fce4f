// Scenarios 8 and 9: resident memory of `gatehouse serve` (bin/gatehouse.js, as
// installed). 7: idle after start-up on an empty store, a first start (which
// makes the bootstrap admin: an argon2id hash) and a restart; 9: a store of
// 100,000 users and 100,000 API keys, spawn → first 200 and resident memory.
// RSS is read from /proc/<pid>/status once the server has settled (hashing
// threads end after 10 s idle; `gatehouse serve` collects start-up's garbage
// after 5 s: src/server/settle.ts). The floors beside them: bare node:http, and
// the least server of gatehouse's own libraries (bench/servers/floor.ts).
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { cliBundleOptions } from '../scripts/build-parts.js';
import { freePort, type Seeded } from './startup.js';

const ROOT = join(import.meta.dirname, '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function status(pid: number): Omit<MemoryResult, 'firstMs'> {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(s)![1]) / 1024;
  return { rssMiB: mib('VmRSS'), anonMiB: mib('RssAnon'), fileMiB: mib('RssFile'), threads: Number(/Threads:\s+(\d+)/.exec(s)![1]) };
}

/**
 * RSS, and its two parts: anonymous (heaps, stacks) and file-backed (the pages of the
 * node binary and shared libraries that ran: more of them as more of node's own code runs).
 */
export interface MemoryResult { firstMs: number; rssMiB: number; anonMiB: number; fileMiB: number; threads: number }

/** Spawns `args` (a server on `port`), waits for the first 200 (GET /access/info), then `settleMs`, and reads the server's RSS. */
async function spawnAndMeasure(args: string[], port: number, settleMs: number): Promise<MemoryResult> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'ignore'] });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  try {
    let firstMs = 0;
    for (const deadline = t0 + 60_000; !firstMs && performance.now() < deadline;) {
      if (proc.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${proc.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/access/info`).then((r) => r.status === 200, () => false);
      if (ok) firstMs = performance.now() - t0;
      else await sleep(5);
    }
    if (!firstMs) throw new Error('no 200 within 60 s');
    await sleep(settleMs);
    return { firstMs, ...status(proc.pid!) };
  } finally {
    proc.kill('SIGTERM');
    await exited;
  }
}

/** `gatehouse serve` (bin/gatehouse.js) on `dataDir`, measured by spawnAndMeasure. */
export async function serveAndMeasure(dataDir: string, settleMs: number): Promise<MemoryResult> {
  const port = await freePort();
  const conf = join(dataDir, 'bench.conf');
  writeFileSync(conf, `[gatehouse]\nhost = 127.0.0.1\nport = ${port}\ndata_dir = ${dataDir}\n`);
  return spawnAndMeasure([join(ROOT, 'bin/gatehouse.js'), 'serve', '--config', conf], port, settleMs);
}

/**
 * The floors under scenario 8: bare node:http, and bench/servers/floor.ts (gatehouse's
 * libraries, bundled and loaded as gatehouse is), each measured as gatehouse is, on a
 * warm code cache (one start first).
 */
export async function floorMemory(settleMs: number): Promise<{ node: MemoryResult; stack: MemoryResult }> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-floor-'));
  try {
    const bundle = join(ROOT, 'bench', '.build', 'floor.cjs'); // where its external packages resolve
    await build(cliBundleOptions(join(ROOT, 'bench/servers/floor.ts'), bundle));
    const load = pathToFileURL(join(ROOT, 'bin/load-bundle.js')).href;
    const floor = async (s: number) => {
      const port = await freePort();
      const run = `import(${JSON.stringify(load)}).then((m) => m.loadBundle(${JSON.stringify(bundle)}).main(${port}, ${JSON.stringify(dir)}))`;
      return spawnAndMeasure(['--input-type=module', '-e', run], port, s);
    };
    await floor(4000); // writes the code cache (3 s after start)
    const stack = await floor(settleMs);
    const port = await freePort();
    const bare = `require('node:http').createServer((q, s) => s.end('{}')).listen(${port}, '127.0.0.1')`;
    const node = await spawnAndMeasure(['-e', bare], port, settleMs);
    return { node, stack };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Idle RSS on an empty store: a first start, then a restart on the same data. */
export async function idleMemory(settleMs: number): Promise<{ first: MemoryResult; restart: MemoryResult }> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-idle-'));
  try {
    const first = await serveAndMeasure(dir, settleMs);
    const restart = await serveAndMeasure(dir, settleMs);
    return { first, restart };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A restart on a copy of a seeded store. */
export async function seededMemory(seed: Seeded, settleMs: number): Promise<MemoryResult> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-scale-'));
  try {
    cpSync(seed.dir, dir, { recursive: true });
    return await serveAndMeasure(dir, settleMs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Scenario 6: start-up time, from spawning `gatehouse serve` to its first 200,
// with 10,000 users and 10,000 API keys in the SQLite store. The seeded data
// directory is built once through src/store (pre-computed hashes: one argon2id
// hash shared by every user, SHA-256 for keys, as gatehouse stores them) and
// cached under bench/.cache, keyed by the migrations file; each timed start gets
// a fresh copy of it.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { BENCH_DIR } from './lib/child.js';

const ROOT = join(BENCH_DIR, '..');
const CACHE = join(BENCH_DIR, '.cache');

export interface Seeded { dir: string; apiKey: string; users: number; keys: number }

function migrationsStamp(): string {
  return createHash('sha256').update(readFileSync(join(ROOT, 'src/store/sql/migrations.ts'))).digest('hex').slice(0, 12);
}

/** A data directory with `users` users (each a Viewer of the default org) and `keys` legacy API keys. */
export async function seededDataDir(users: number, keys: number, log: (s: string) => void = () => {}): Promise<Seeded> {
  const dir = join(CACHE, `seed-v2-${users}u-${keys}k-${migrationsStamp()}`);
  const meta = join(dir, 'bench-seed.json');
  if (existsSync(meta)) return { dir, ...JSON.parse(readFileSync(meta, 'utf8')) };
  rmSync(dir, { recursive: true, force: true });
  log(`seeding ${users} users and ${keys} keys into ${dir} (once; cached) …`);
  const t0 = performance.now();
  // Built on tmpfs when there is one (the store fsyncs every write; that is not what is measured), then copied.
  const build = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/gatehouse-bench-seed-') : dir;
  const { openStore } = await import('../src/store/index.js');
  const { loadKeyring } = await import('../src/core/security/keyring.js');
  const { createCore } = await import('../src/core/core.js');
  const { DEFAULT_ORG_ID } = await import('../src/core/model.js');
  const { defaultConfig } = await import('../src/config/index.js');
  const { hashPassword } = await import('../src/core/security/passwords.js');
  const { sha256hex, randomUrlToken } = await import('../src/core/security/crypto.js');
  const store = await openStore({ engine: 'sqlite', dataDir: build });
  let seeded: { apiKey: string; users: number; keys: number };
  try {
    const log = { info() {}, warn() {}, error() {} };
    const core = createCore({ store, keyring: loadKeyring(build), config: defaultConfig(), log });
    await core.start();
    const passwordHash = await hashPassword('bench-password-1');
    for (let i = 0; i < users; i++) {
      const u = await store.users.create({
        uid: `bench${String(i).padStart(9, '0')}`, username: `user${i}`, email: `user${i}@bench.invalid`, name: `User ${i}`, passwordHash,
        source: 'moonraker', isAdmin: false, isServiceAccount: false, isDisabled: false, orgId: DEFAULT_ORG_ID,
      });
      await store.orgs.addMember(DEFAULT_ORG_ID, u.id, 'Viewer');
    }
    for (let i = 0; i < keys; i++) {
      await store.apiKeys.create({
        orgId: DEFAULT_ORG_ID, name: `bench-key-${i}`, role: 'Viewer', hash: sha256hex(randomUrlToken(32)), hashKind: 'sha256',
        serviceAccountId: null, expiresAt: null,
      });
    }
    seeded = { apiKey: core.apiKey.get(), users, keys };
  } finally {
    await store.close();
  }
  // One real start on it, so what is timed is a restart: first-start work (the
  // Grafana admin bootstrap: an argon2id hash and a few writes) is done here.
  const port = await freePort();
  const conf = join(build, 'moonraker.conf');
  writeFileSync(conf, `[gatehouse]\nhost = 127.0.0.1\nport = ${port}\ndata_dir = ${build}\n`);
  await timeToFirst200([join(ROOT, 'bin/gatehouse.js'), 'serve', '--config', conf], { port, path: '/access/user', headers: { 'X-Api-Key': seeded.apiKey } });
  rmSync(conf);
  if (build !== dir) {
    cpSync(build, dir, { recursive: true });
    rmSync(build, { recursive: true, force: true });
  }
  writeFileSync(meta, JSON.stringify(seeded));
  log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { dir, ...seeded };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function get(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => req.destroy());
  });
}

/** Spawns `argv` and polls `path` until it answers 200; returns ms from spawn to that 200. */
export async function timeToFirst200(argv: string[], o: { port: number; path: string; headers?: Record<string, string>; timeoutMs?: number; cwd?: string }): Promise<number> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, argv, { cwd: o.cwd ?? ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (c) => { stderr += c; });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  try {
    const deadline = t0 + (o.timeoutMs ?? 30_000);
    while (performance.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`exited with ${proc.exitCode} before answering: ${stderr.trim().slice(0, 500)}`);
      const status = await get(o.port, o.path, o.headers ?? {});
      if (status === 200) return performance.now() - t0;
      if (status !== 0) throw new Error(`answered ${status}, not 200`);
      await new Promise((r) => setTimeout(r, 2));
    }
    throw new Error('no 200 before the deadline');
  } finally {
    proc.kill('SIGTERM');
    await exited;
  }
}

export interface StartupResult { label: string; ms: number[]; median: number }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** `gatehouse serve` (bin/gatehouse.js, as installed) on a fresh copy of `seed`. */
export async function gatehouseStartup(seed: Seeded, runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-start-'));
    try {
      cpSync(seed.dir, dir, { recursive: true });
      const port = await freePort();
      const conf = join(dir, 'moonraker.conf');
      writeFileSync(conf, `[gatehouse]\nhost = 127.0.0.1\nport = ${port}\ndata_dir = ${dir}\n`);
      out.push(await timeToFirst200([join(ROOT, 'bin/gatehouse.js'), 'serve', '--config', conf], {
        port, path: '/access/user', headers: { 'X-Api-Key': seed.apiKey },
      }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

/** The floor: node and a bare node:http server (no loader, as gatehouse's bundle runs), spawn to first 200. */
export async function bareStartup(runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const port = await freePort();
    const server = `require('node:http').createServer((q, s) => s.end('{}')).listen(${port}, '127.0.0.1')`;
    out.push(await timeToFirst200(['-e', server], { port, path: '/' }));
  }
  return out;
}

export { median };

// Several real `gatehouse serve` processes on one PostgreSQL database (issue 21):
// each its own process, data directory and loopback port, started from a config
// file as an operator would, and a small HTTP client for each.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTempDatabase } from './postgres.js';

const BIN = resolve('bin/gatehouse.js');
export const ADMIN_PASSWORD = 'cluster-admin-pw';
export const SECRET = 'k3y-encryption-secret-for-tests';
/** Instances behind one balancer agree on the JWT issuer (README, "Several instances"). */
export const ISSUER = 'http://gatehouse.test';

export interface Instance {
  base: string;
  port: number;
  dataDir: string;
  proc: ChildProcess;
  output: () => string;
  req: (method: string, path: string, o?: { body?: unknown; headers?: Record<string, string> }) => Promise<{ status: number; headers: Headers; text: string; json: any }>;
  stop: () => Promise<void>;
}

/** The config file of one instance of the cluster on `url`; `extra`: more lines of its [gatehouse] section. */
export const clusterConfig = (url: string, extra = '', secret = SECRET) =>
  `[gatehouse]\nstore: postgres\npostgres_url: ${url}\nissuer: ${ISSUER}\nlog_level: warn\n${extra}[security]\nadmin_password: ${ADMIN_PASSWORD}\nsecret_key: ${secret}\n`;

/** Runs `gatehouse serve --config` and resolves once it prints its listening line (rejects with its output if it exits first). */
export function startInstance(config: string, dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-node-'))): Promise<Instance> {
  const file = join(dataDir, 'gatehouse.conf');
  writeFileSync(file, config);
  const proc = spawn(process.execPath, [BIN, 'serve', '--config', file, '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, GATEHOUSE_FROM_SOURCE: '1' },
  });
  let out = '';
  return new Promise((ok, fail) => {
    const onExit = (code: number | null) => fail(new Error(`gatehouse serve exited ${code}: ${out}`));
    proc.stdout!.on('data', (c) => {
      out += c;
      const m = /gatehouse listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (!m) return;
      proc.off('exit', onExit);
      const port = Number(m[1]);
      const base = `http://127.0.0.1:${port}`;
      ok({
        base, port, dataDir, proc, output: () => out,
        async req(method, path, o = {}) {
          const headers: Record<string, string> = { ...(o.headers ?? {}) };
          if (o.body !== undefined) headers['content-type'] ??= 'application/json';
          const r = await fetch(base + path, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body), signal: AbortSignal.timeout(15_000) });
          const text = await r.text();
          let json: any;
          try { json = JSON.parse(text); } catch { json = undefined; }
          return { status: r.status, headers: r.headers, text, json };
        },
        async stop() {
          if (proc.exitCode === null && proc.signalCode === null) {
            await new Promise((done) => { proc.once('exit', done); proc.kill('SIGTERM'); });
          }
          rmSync(dataDir, { recursive: true, force: true });
        },
      });
    });
    proc.stderr!.on('data', (c) => { out += c; });
    proc.once('exit', onExit);
  });
}

/** A fresh database and `n` instances on it (started one after the other: the first makes the keys); `extra` as in clusterConfig. */
export async function startCluster(n: number, extra = ''): Promise<{ url: string; nodes: Instance[]; stop: () => Promise<void> }> {
  const db = await createTempDatabase();
  const nodes: Instance[] = [];
  try {
    for (let i = 0; i < n; i++) nodes.push(await startInstance(clusterConfig(db.url, extra)));
  } catch (err) {
    await Promise.all(nodes.map((x) => x.stop()));
    await db.drop();
    throw err;
  }
  return { url: db.url, nodes, async stop() { await Promise.all(nodes.map((x) => x.stop())); await db.drop(); } };
}

/** Logs in on the Moonraker face; the access and refresh tokens. */
export async function moonrakerLogin(node: Instance, username: string, password: string): Promise<{ token: string; refresh: string }> {
  const r = await node.req('POST', '/access/login', { body: { username, password } });
  if (r.status !== 200) throw new Error(`login on ${node.base}: ${r.status} ${r.text}`);
  return { token: r.json.result.token, refresh: r.json.result.refresh_token };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

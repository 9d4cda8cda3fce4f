// Starts a real gatehouse on a free loopback port with a fresh data directory,
// and gives tests a tiny HTTP client. Logs are captured so tests can scan them.
//
// The server runs the shipped default configuration (what `gatehouse serve` runs
// with no config file: both faces on, nothing changed): every default comes from
// the config schema. Overrides use the config file's own sections and option
// names, e.g. `startGatehouse({ authorization: { force_logins: true } })`; a test
// that changes an option says why.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createGatehouse, type Gatehouse, type GatehouseOptions } from '../../src/server/gatehouse.js';
import { loadConfig } from '../../src/config/index.js';

type Sections = Omit<GatehouseOptions, 'logStream' | 'plainHttp'>;
export type Overrides = { [S in keyof Sections]?: Partial<NonNullable<Sections[S]>> } & Pick<GatehouseOptions, 'plainHttp'>;

export interface Running {
  gh: Gatehouse;
  base: string;
  port: number;
  dataDir: string;
  logs: string[];
  apiKey: () => string;
  req: (method: string, path: string, o?: { body?: unknown; raw?: string; headers?: Record<string, string> }) => Promise<{ status: number; headers: Headers; text: string; json: any }>;
  stop: (opts?: { keepData?: boolean }) => Promise<void>;
}

/** The options of a test server: the overrides on a free loopback port and `dataDir`; everything else the schema's defaults. */
export function testOptions(dataDir: string, over: Overrides = {}): GatehouseOptions {
  return { ...over, gatehouse: { host: '127.0.0.1', port: 0, data_dir: dataDir, ...over.gatehouse } } as GatehouseOptions;
}

/** Starts a server; pass `dataDir` to reuse one (restart tests). */
export async function startGatehouse(over: Overrides = {}, dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'))): Promise<Running> {
  return start(testOptions(dataDir, over), dataDir);
}

/**
 * Starts a server from configuration text in the config file's own names, read
 * as `gatehouse serve --config FILE` reads it (written to gatehouse.conf in the
 * data directory; the environment is not consulted), on a free loopback port
 * and a fresh data directory. `ini` may be a function of the data directory,
 * for paths inside it. Anything the text leaves out is the shipped default.
 */
export async function startFromConfig(ini: string | ((dataDir: string) => string), dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'))): Promise<Running> {
  let options: GatehouseOptions;
  try {
    const file = join(dataDir, 'gatehouse.conf');
    writeFileSync(file, typeof ini === 'function' ? ini(dataDir) : ini);
    options = loadConfig({ file, env: {}, overrides: { host: '127.0.0.1', port: 0, dataDir } }).config;
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return start(options, dataDir);
}

async function start(options: GatehouseOptions, dataDir: string): Promise<Running> {
  const logs: string[] = [];
  const logStream = new PassThrough();
  logStream.on('data', (c) => logs.push(String(c)));
  const gh = await createGatehouse({ ...options, logStream });
  const { port } = await gh.listen();
  const base = `http://127.0.0.1:${port}`;
  return {
    gh, base, port, dataDir, logs,
    apiKey: () => gh.core.apiKey.get(),
    async req(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      let body: string | undefined = o.raw;
      if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      const r = await fetch(base + path, { method, headers, body });
      const text = await r.text();
      let json: any;
      try { json = JSON.parse(text); } catch { json = undefined; }
      return { status: r.status, headers: r.headers, text, json };
    },
    async stop(opts = {}) {
      await gh.close();
      if (!opts.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

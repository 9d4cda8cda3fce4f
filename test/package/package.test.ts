// The package as it ships: `npm pack`, `npm install <tarball>` into a fresh
// folder, then plain Node there (no tsx, no build tool): the library's import
// and `gatehouse serve` from the installed bin. Loopback addresses only.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// Children run as from a plain shell: without npm's variables (under `npm test`
// npm_config_local_prefix names this checkout, and a nested npm would install
// into it), without node_modules/.bin directories on PATH (this checkout's holds
// tsx and esbuild) and without NODE_OPTIONS.
const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD' && k !== 'NODE_OPTIONS'));
env.PATH = [dirname(process.execPath), ...(process.env.PATH ?? '').split(delimiter).filter((p) => p && !p.includes('node_modules'))].join(delimiter);

let tmp: string;
let app: string; // the fresh folder the tarball is installed into
let files: string[]; // the tarball's entries, without the leading "package/"
const children = new Set<ChildProcess>();

/** Runs a command to its end; on failure or timeout, it and whatever it started are killed. */
function run(cmd: string, args: string[], cwd: string, timeout: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((ok, fail) => {
    const p = start(cmd, args, cwd);
    let stdout = '';
    let stderr = '';
    p.stdout!.setEncoding('utf8').on('data', (c) => { stdout += c; });
    p.stderr!.setEncoding('utf8').on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => kill(p), timeout);
    p.once('error', fail);
    p.once('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(p);
      if (code === 0) ok({ stdout, stderr });
      else fail(new Error(`${cmd} ${args.join(' ')}: ${signal ?? `exit ${code}`}\n${stdout}\n${stderr}`));
    });
  });
}

/** A child in a process group of its own, so that kill() reaches what it starts (npm: node-gyp, make, the compiler). */
function start(cmd: string, args: string[], cwd: string): ChildProcess {
  const p = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(p);
  return p;
}

function kill(p: ChildProcess, signal: NodeJS.Signals = 'SIGKILL') {
  try { process.kill(-p.pid!, signal); } catch { /* already gone */ }
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer().once('error', fail).listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gatehouse-package-'));
  // Packed from a copy of the checkout: `npm pack` runs prepack, which rebuilds
  // dist/ from scratch, and other test files run bin/gatehouse.js on this
  // checkout's dist/ at the same time. node_modules is linked, not copied.
  const copy = join(tmp, 'checkout');
  const skip = new Set(['node_modules', 'dist', '.git', 'data', 'tmp', 'bench/.build']);
  cpSync(ROOT, copy, { recursive: true, filter: (p) => !skip.has(relative(ROOT, p)) });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const packDir = join(tmp, 'pack');
  mkdirSync(packDir);
  await run('npm', ['pack', '--pack-destination', packDir], copy, 120_000);
  const [tarball] = readdirSync(packDir);
  assert.match(tarball, /^gatehouse-.*\.tgz$/);
  files = (await run('tar', ['-tzf', join(packDir, tarball)], tmp, 30_000)).stdout.split('\n').filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));

  app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  // The npm cache holds every dependency, but better-sqlite3 has no prebuilt
  // binary here (its download fails) and compiles from source: ~70 s on an idle
  // machine, several times that while the rest of the suite shares the cores.
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(packDir, tarball)], app, 600_000);
}, { timeout: 900_000 });

after(() => {
  for (const p of children) kill(p);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('the tarball holds compiled JavaScript, declarations and the bin; no sources, tests or bench', () => {
  for (const f of ['package.json', 'README.md', 'bin/gatehouse.js', 'dist/index.js', 'dist/types/index.d.ts', 'dist/gatehouse.cjs', 'dist/login.html', 'dist/login.js', 'dist/style.css', 'dist/app.html', 'dist/ui.js', 'dist/ui.css']) {
    assert.ok(files.includes(f), `${f} is in the tarball`);
  }
  const unwanted = files.filter((f) => /^(src|test|bench|scripts)\//.test(f) || (/\.[cm]?ts$/.test(f) && !/\.d\.[cm]?ts$/.test(f)) || f.endsWith('.v8-cache'));
  assert.deepEqual(unwanted, []);
});

test('installed: dependencies without the build tools, and an exports map', () => {
  const pkg = JSON.parse(readFileSync(join(app, 'node_modules/gatehouse/package.json'), 'utf8'));
  assert.deepEqual(pkg.exports['.'], { types: './dist/types/index.d.ts', import: './dist/index.js' });
  for (const tool of ['tsx', 'esbuild', 'typescript']) {
    assert.equal(pkg.dependencies[tool], undefined, `${tool} is not a dependency`);
    assert.equal(existsSync(join(app, 'node_modules', tool)), false, `${tool} is not installed`);
  }
});

test('plain Node imports createGatehouse from "gatehouse", serves /access/info and the web UI, and closes', async () => {
  writeFileSync(join(app, 'embed.mjs'), `
import { createGatehouse } from 'gatehouse';
const gh = await createGatehouse({
  // the config file's sections and names; everything left out takes its default (both faces on:
  // the Grafana face's login page reads the web UI's files from dist/)
  gatehouse: { host: '127.0.0.1', port: 0, data_dir: process.argv[2], log_level: 'warn' },
});
try {
  const { port } = await gh.listen();
  const info = await fetch('http://127.0.0.1:' + port + '/access/info');
  const login = await fetch('http://127.0.0.1:' + port + '/login');
  // the admin UI's script, bundled by the build (no esbuild where the package is installed)
  const ui = await fetch('http://127.0.0.1:' + port + '/gatehouse/public/ui.js');
  console.log(JSON.stringify({ info: info.status, body: await info.json(), login: login.status, page: await login.text(), ui: ui.status }));
} finally {
  await gh.close();
}
`);
  const { stdout } = await run(process.execPath, ['embed.mjs', join(tmp, 'data-embed')], app, 60_000);
  const r = JSON.parse(stdout.trim().split('\n').at(-1)!);
  assert.equal(r.info, 200);
  assert.equal(r.body.result.default_source, 'moonraker');
  assert.equal(r.login, 200);
  assert.match(r.page, /<form/);
  assert.equal(r.ui, 200);
});

test('the declarations type-check a TypeScript consumer through the exports map', async () => {
  // This checkout's tsc and @types/node, as a consumer brings its own; nothing is installed into the app.
  writeFileSync(join(app, 'consumer.ts'), `
import { createGatehouse, CoreError, type Gatehouse, type GatehouseOptions } from 'gatehouse';
const o: GatehouseOptions = {
  gatehouse: { host: '127.0.0.1', port: 0, data_dir: 'data', log_level: 'warn' },
  limits: { ws_max_message_bytes: 1024 },
  authorization: { trusted_clients: ['10.0.0.0/8'] },
};
const gh: Gatehouse = await createGatehouse(o);
const err: unknown = undefined;
if (err instanceof CoreError) console.log(err.code, err.message);
await gh.close();
`);
  await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--skipLibCheck', 'false',
    '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext',
    '--types', 'node', '--typeRoots', join(ROOT, 'node_modules/@types'), 'consumer.ts'], app, 120_000);
});

test('the installed bin runs `gatehouse serve` from the bundle, without tsx', async () => {
  const port = await freePort();
  const p = start(join(app, 'node_modules/.bin/gatehouse'), ['serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', join(tmp, 'data-serve')], app);
  let out = '';
  p.stdout!.on('data', (c) => { out += c; });
  p.stderr!.on('data', (c) => { out += c; });
  const exited = new Promise<number | null>((ok) => p.once('exit', (code) => { children.delete(p); ok(code); }));
  try {
    let status = 0;
    for (const deadline = Date.now() + 60_000; status !== 200 && Date.now() < deadline;) {
      if (p.exitCode !== null) assert.fail(`serve exited ${p.exitCode}: ${out}`);
      status = await fetch(`http://127.0.0.1:${port}/access/info`).then((r) => r.status, () => 0);
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(status, 200, out);
  } finally {
    p.kill('SIGTERM'); // the server itself (the bin is node, no shell); after() kills the group if it is still there
  }
  assert.equal(await exited, 0, out);
});

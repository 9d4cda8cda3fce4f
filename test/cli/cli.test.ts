// The CLI as a user runs it: real processes, a real data directory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve('bin/gatehouse.js');
let dir: string;

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args, '--data-dir', join(dir, 'data')], { input, encoding: 'utf8', cwd: dir, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Starts `gatehouse serve` and resolves once it prints its listening line. */
function serve(args: string[]): Promise<{ port: number; stop: () => Promise<number | null>; output: () => string }> {
  const p = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', join(dir, 'data'), ...args], { cwd: dir });
  let out = '';
  return new Promise((ok, fail) => {
    const onData = (c: Buffer) => {
      out += c;
      const m = /gatehouse listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) ok({
        port: Number(m[1]),
        output: () => out,
        stop: () => new Promise((done) => { p.once('exit', (code) => done(code)); p.kill('SIGTERM'); }),
      });
    };
    p.stdout.on('data', onData);
    p.stderr.on('data', (c) => { out += c; });
    p.once('exit', (code) => fail(new Error(`serve exited ${code}: ${out}`)));
  });
}

before(() => { dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

test('user create / list / delete with clear messages and exit codes', () => {
  let r = cli(['user', 'create', 'ada', '--password', 'pw-ada']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /created user "ada"/);
  r = cli(['user', 'create', 'ada', '--password', 'x']);
  assert.equal(r.code, 1);
  assert.match(r.err, /User ada already exists/);
  r = cli(['user', 'list']);
  assert.equal(r.code, 0);
  assert.match(r.out, /^ada\tmoonraker\t/m);
  r = cli(['user', 'delete', 'nobody']);
  assert.equal(r.code, 1);
  assert.match(r.err, /No registered user: nobody/);
  r = cli(['user', 'create', 'bad\u0007name', '--password', 'x']);
  assert.equal(r.code, 1);
  assert.match(r.err, /username/);
});

test('user create without a password generates one and shows it once; --password-stdin reads it', () => {
  let r = cli(['user', 'create', 'gen']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /password \(shown once\): [0-9A-Za-z]{20}/);
  r = cli(['user', 'create', 'piped', '--password-stdin'], 'from-stdin\n');
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.out, /from-stdin/);
});

test('apikey show prints 32 hex; rotate replaces it', () => {
  const a = cli(['apikey', 'show']);
  assert.equal(a.code, 0);
  assert.match(a.out.trim(), /^[0-9a-f]{32}$/);
  const b = cli(['apikey', 'rotate']);
  assert.equal(b.code, 0);
  assert.notEqual(b.out.trim(), a.out.trim());
  assert.equal(cli(['apikey', 'show']).out.trim(), b.out.trim());
});

test('apikey create / list / delete: named keys with a scope, shown once; a running server follows within the sync interval', async () => {
  let r = cli(['apikey', 'create', 'screen', '--scope', 'read', '--ttl', '3600']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /created API key "screen" \(scope read, expires \d{4}-/);
  const key = /key \(shown once\): ([0-9a-f]{32})/.exec(r.out)![1]!;
  r = cli(['apikey', 'list']);
  assert.match(r.out, /^screen\tread\tcreated \S+\texpires \S+\tlast used -$/m);
  assert.doesNotMatch(r.out, new RegExp(key));
  assert.match(cli(['apikey', 'create', 'x']).err, /--scope is required/);
  assert.match(cli(['apikey', 'create', 'x', '--scope', 'root']).err, /--scope must be read, control or admin/);
  assert.match(cli(['apikey', 'create', 'screen', '--scope', 'read']).err, /API key screen already exists/);
  const s = await serve([]);
  try {
    const me = async () => fetch(`http://127.0.0.1:${s.port}/access/user`, { headers: { 'x-api-key': key } });
    const who: any = await (await me()).json();
    assert.equal(who.result.scope, 'read');
    assert.equal(cli(['apikey', 'delete', 'screen']).code, 0);
    let status = 200;
    for (let i = 0; i < 40 && status === 200; i++) {
      await new Promise((res) => setTimeout(res, 100));
      status = (await me()).status;
    }
    assert.equal(status, 401);
  } finally {
    assert.equal(await s.stop(), 0);
  }
  assert.match(cli(['apikey', 'delete', 'screen']).err, /No API key named screen/);
});

test('user create --scope, user scope NAME SCOPE, and the scope in user list (issue 20)', () => {
  assert.equal(cli(['user', 'create', 'watcher', '--password', 'pw-w', '--scope', 'read']).code, 0);
  assert.match(cli(['user', 'list']).out, /^watcher\tmoonraker\t\S+\tread$/m);
  let r = cli(['user', 'scope', 'watcher', 'control']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /user "watcher" now has scope control/);
  assert.match(cli(['user', 'list']).out, /^watcher\tmoonraker\t\S+\tcontrol$/m);
  r = cli(['user', 'scope', 'watcher', 'root']);
  assert.equal(r.code, 1);
  assert.match(r.err, /Invalid scope 'root'/);
  assert.match(cli(['user', 'create', 'bad-scope', '--password', 'x', '--scope', 'owner']).err, /Invalid scope 'owner'/);
});

test('unknown command, unknown subcommand and bad flags exit non-zero with a message', () => {
  assert.equal(cli(['frob']).code, 2);
  const r = cli(['user', 'frob']);
  assert.equal(r.code, 1);
  assert.match(r.err, /unknown subcommand "user frob"/);
  const f = cli(['user', 'list', '--nope']);
  assert.equal(f.code, 1);
  assert.match(f.err, /nope/);
});

test('serve answers on its port; changes made by the CLI reach the running server', async () => {
  const s = await serve([]);
  try {
    const base = `http://127.0.0.1:${s.port}`;
    const info: any = await (await fetch(base + '/access/info')).json();
    assert.equal(info.result.default_source, 'moonraker');
    // a user created by the CLI while the server runs can log in at once
    assert.equal(cli(['user', 'create', 'live', '--password', 'pw-live']).code, 0);
    const login = await fetch(base + '/access/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'live', password: 'pw-live' }) });
    assert.equal(login.status, 200);
    const { result }: any = await login.json();
    const auth = { authorization: `Bearer ${result.token}` };
    assert.equal((await fetch(base + '/access/user', { headers: auth })).status, 200);
    // a password reset by the CLI revokes the running server's tokens within the sync interval
    assert.equal(cli(['user', 'passwd', 'live', '--password', 'pw-new']).code, 0);
    let status = 200;
    for (let i = 0; i < 40 && status === 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await fetch(base + '/access/user', { headers: auth })).status;
    }
    assert.equal(status, 401);
  } finally {
    assert.equal(await s.stop(), 0);
  }
});

test('serve reads a moonraker.conf as it is: unread sections give one warning, [authorization] applies', async () => {
  const conf = join(dir, 'moonraker.conf');
  writeFileSync(conf, `[server]\nhost: 0.0.0.0\nport: 7125\nklippy_uds_address: /tmp/klippy_uds\n\n[authorization]\nforce_logins: True\ntrusted_clients:\n  127.0.0.0/8\n  10.0.0.0/8\ncors_domains:\n  *.local\n\n[update_manager mainsail]\ntype: web\n`);
  const s = await serve(['--config', conf]);
  try {
    const info: any = await (await fetch(`http://127.0.0.1:${s.port}/access/info`)).json();
    assert.equal(info.result.trusted, true);
    assert.equal((s.output().match(/warning:/g) ?? []).length, 1);
    assert.match(s.output(), /server/);
  } finally {
    await s.stop();
  }
});

test('a bad option stops start-up with file, line and option named', () => {
  const conf = join(dir, 'bad.conf');
  writeFileSync(conf, `[authorization]\nforce_logins: maybe\n`);
  const r = spawnSync(process.execPath, [BIN, 'serve', '--config', conf, '--port', '0', '--data-dir', join(dir, 'data')], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bad\.conf:2: \[authorization\] force_logins/);
  const u = spawnSync(process.execPath, [BIN, 'serve', '--config', join(dir, 'missing.conf')], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(u.status, 1);
  assert.match(u.stderr, /missing\.conf/);
  const p = spawnSync(process.execPath, [BIN, 'serve', '--port', 'abc'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(p.status, 1);
  assert.match(p.stderr, /--port/);
});

test('first start with the Grafana face: the admin password is printed once, works, and is not printed again', async () => {
  const data = join(dir, 'grafana-data');
  const conf = join(dir, 'grafana.ini');
  writeFileSync(conf, `[gatehouse]\ndata_dir = ${data}\n\n[security]\nadmin_user = root\n`);
  const first = await serve(['--config', conf, '--data-dir', data]);
  let password: string;
  try {
    const m = /created admin user "root" with password \(shown once\): (\S+)/.exec(first.output());
    assert.ok(m, first.output());
    password = m[1]!;
    const org = await fetch(`http://127.0.0.1:${first.port}/api/org`, { headers: { authorization: 'Basic ' + Buffer.from(`root:${password}`).toString('base64') } });
    assert.equal(org.status, 200);
    assert.deepEqual(await org.json(), { id: 1, name: 'Main Org.', address: { address1: '', address2: '', city: '', zipCode: '', state: '', country: '' } });
  } finally {
    await first.stop();
  }
  const second = await serve(['--config', conf, '--data-dir', data]);
  try {
    assert.doesNotMatch(second.output(), /shown once/);
    assert.ok(!second.output().includes(password));
  } finally {
    await second.stop();
  }
});

test('grafana_port gives the Grafana face its own listener; its paths are not on the Moonraker port', async () => {
  const data = join(dir, 'split-data');
  const conf = join(dir, 'split.ini');
  writeFileSync(conf, `[gatehouse]\ngrafana_port = 0\n\n[security]\nadmin_password = s3cret-admin\n`);
  const s = await serve(['--config', conf, '--data-dir', data]);
  try {
    const m = /grafana face listening on http:\/\/[^:]+:(\d+)/.exec(s.output());
    assert.ok(m, s.output());
    const auth = { authorization: 'Basic ' + Buffer.from('admin:s3cret-admin').toString('base64') };
    assert.equal((await fetch(`http://127.0.0.1:${m[1]}/api/org`, { headers: auth })).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${s.port}/api/org`, { headers: auth })).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${s.port}/access/info`)).status, 200);
  } finally {
    await s.stop();
  }
});

// bin/gatehouse.js runs dist/gatehouse.cjs (the esbuild bundle, built by `npm test`'s
// pretest) while it is newer than src/, else the sources through tsx. Both must
// be the same program, web UI files included.
function bundleIsFresh() {
  const newest = (d: string): number => Math.max(...readdirSync(d, { withFileTypes: true }).map((e) =>
    e.isDirectory() ? newest(join(d, e.name)) : statSync(join(d, e.name)).mtimeMs));
  return existsSync('dist/gatehouse.cjs') && statSync('dist/gatehouse.cjs').mtimeMs >= newest('src');
}
/** Builds the bundle unless `npm test`'s pretest already has (running one file by hand). */
function ensureFreshBundle() {
  if (!bundleIsFresh()) {
    const b = spawnSync(process.execPath, ['scripts/build.js'], { encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  }
  assert.ok(bundleIsFresh(), 'dist/gatehouse.cjs is up to date');
}
for (const fromSource of [false, true]) {
  test(`serve ${fromSource ? 'from the TypeScript sources (GATEHOUSE_FROM_SOURCE=1)' : 'from the bundle'}: API and web UI files answer`, async () => {
    if (!fromSource) ensureFreshBundle();
    const before = process.env.GATEHOUSE_FROM_SOURCE;
    process.env.GATEHOUSE_FROM_SOURCE = fromSource ? '1' : '0';
    const s = await serve(['--data-dir', join(dir, `data-ui-${fromSource}`)]).finally(() => {
      if (before === undefined) delete process.env.GATEHOUSE_FROM_SOURCE; else process.env.GATEHOUSE_FROM_SOURCE = before;
    });
    try {
      const base = `http://127.0.0.1:${s.port}`;
      const info = await fetch(`${base}/access/info`);
      assert.equal(info.status, 200);
      assert.equal(typeof ((await info.json()) as { result: { default_source: unknown } }).result.default_source, 'string');
      const login = await fetch(`${base}/login`);
      assert.equal(login.status, 200);
      assert.match(await login.text(), /<form/);
      const js = await fetch(`${base}/public/gatehouse/login.js`);
      assert.equal(js.status, 200);
      assert.match(js.headers.get('content-type') ?? '', /javascript/);
      assert.ok((await js.text()).length > 100);
    } finally {
      assert.equal(await s.stop(), 0);
    }
  });
}

test('the bundle leaves V8\'s code cache after a run and starts from it; a damaged cache is ignored and replaced', () => {
  ensureFreshBundle();
  const cache = 'dist/gatehouse.cjs.v8-cache';
  const help = () => {
    const r = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8', env: { ...process.env, GATEHOUSE_FROM_SOURCE: '0' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^usage: gatehouse <command>/);
    return r.stdout;
  };
  rmSync(cache, { force: true });
  const first = help();
  assert.ok(existsSync(cache), 'written when the first run ends');
  assert.equal(help(), first);
  writeFileSync(cache, 'not a code cache');
  assert.equal(help(), first);
  assert.ok(statSync(cache).size > 1000, 'the damaged cache was replaced');
});

// Issue 16, point 2: the README's first command with the moonraker.conf a
// Mainsail or Fluidd user already has, and that client's first run, over real
// HTTP and a real websocket against the real CLI process.
//
// What the clients send (read from their sources, not guessed):
// - Mainsail (mainsail-crew/mainsail df0ef3e, 2026-07-23) makes no /access call
//   at all: it opens `<host>/websocket` with no credential
//   (src/store/socket/getters.ts) and calls `server.connection.identify` with
//   {client_name: 'mainsail', version, type: 'web', url:
//   'https://github.com/mainsail-crew/mainsail'} and no access_token
//   (src/store/server/actions.ts `init`): it relies on trusted_clients.
// - Fluidd's HTTP era (fluidd-core/fluidd 81730a18, 2026-04-23, the last commit
//   before its auth moved onto the socket) sends, from src/api/httpClientActions.ts:
//   GET /access/info (views/Login.vue, before the login form), POST /access/user
//   {username, password} (store/auth `addUser`, from a trusted browser),
//   POST /access/login {username, password, source: 'moonraker'},
//   POST /access/refresh_jwt {refresh_token}, GET /access/oneshot_token with
//   `Authorization: Bearer <token>`, then opens `new WebSocket(`${url}?token=${token}`)`
//   (src/plugins/socketClient.ts `connect`).
// - Fluidd today (192279a8, src/store/socket/actions.ts `runIdentify`) calls
//   `server.connection.identify` with its access_token, then access.get_user
//   (store/auth `init`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RpcClient } from '../websocket/client.js';

const ROOT = resolve(import.meta.dirname, '../..');

// The moonraker.conf of issue 16, as a Mainsail or Fluidd user has it.
const MOONRAKER_CONF = `[authorization]
trusted_clients:
  127.0.0.1
force_logins: True
`;

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer().once('error', fail).listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

const JSON_BODY = { 'content-type': 'application/json' };

test('Mainsail and Fluidd first run against `gatehouse serve --config moonraker.conf`: info, the first user from the trusted address, login, refresh, oneshot token, websocket identify', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-'));
  const conf = join(dir, 'moonraker.conf');
  writeFileSync(conf, MOONRAKER_CONF);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // README: `npm start` is `gatehouse serve` with the defaults, run from the
  // checkout as `node bin/gatehouse.js serve`. Only the port and the data
  // directory are given (not the defaults 7125 and ./data), so that test files
  // running in parallel do not collide; everything else is the shipped default.
  const p = spawn(process.execPath, ['bin/gatehouse.js', 'serve', '--config', conf, '--port', String(port), '--data-dir', join(dir, 'data')], {
    cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  p.stdout!.on('data', (c) => { out += c; });
  p.stderr!.on('data', (c) => { out += c; });
  const exited = new Promise<number | null>((ok) => p.once('exit', (code) => ok(code)));
  const sockets: RpcClient[] = [];
  try {
    // Wait for it to answer.
    let status = 0;
    for (const deadline = Date.now() + 60_000; status !== 200 && Date.now() < deadline;) {
      if (p.exitCode !== null) assert.fail(`serve exited ${p.exitCode}: ${out}`);
      status = await fetch(`${base}/access/info`).then((r) => r.status, () => 0);
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 200, out);
    const call = async (method: string, path: string, o: { body?: unknown; headers?: Record<string, string> } = {}) => {
      const r = await fetch(base + path, {
        method,
        headers: { ...(o.body !== undefined ? JSON_BODY : {}), ...o.headers },
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
      });
      const text = await r.text();
      assert.equal(r.status, 200, `${method} ${path}: ${r.status} ${text}`);
      const json = JSON.parse(text);
      assert.deepEqual(Object.keys(json), ['result'], text);
      return json.result;
    };

    // Mainsail: a plain /websocket from the trusted address, identify without a credential.
    const mainsail = await RpcClient.open(port);
    sockets.push(mainsail);
    const mid = await mainsail.call('server.connection.identify', {
      client_name: 'mainsail', version: 'v2.14.0', type: 'web', url: 'https://github.com/mainsail-crew/mainsail',
    });
    assert.equal(typeof mid.result?.connection_id, 'number', JSON.stringify(mid));
    assert.equal((await mainsail.result('access.get_user')).username, '_TRUSTED_USER_');

    // Fluidd's login page asks first: no user yet, so no login is required; this address is trusted.
    assert.deepEqual(await call('GET', '/access/info'), {
      default_source: 'moonraker', available_sources: ['moonraker'], login_required: false, trusted: true,
    });

    // The first user, created by the trusted browser with no credential.
    const created = await call('POST', '/access/user', { body: { username: 'maker', password: 'first-run-pw' } });
    assert.equal(created.username, 'maker');
    assert.equal(created.action, 'user_created');
    assert.equal(created.source, 'moonraker');

    // From now on force_logins takes effect.
    assert.deepEqual(await call('GET', '/access/info'), {
      default_source: 'moonraker', available_sources: ['moonraker'], login_required: true, trusted: true,
    });
    const refused = await fetch(`${base}/access/user`);
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as { error: { message: string } }).error.message, 'Unauthorized, Force Logins Enabled');

    // Login, refresh, oneshot token.
    const login = await call('POST', '/access/login', { body: { username: 'maker', password: 'first-run-pw', source: 'moonraker' } });
    assert.equal(login.username, 'maker');
    assert.equal(login.action, 'user_logged_in');
    assert.match(login.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.match(login.refresh_token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const refreshed = await call('POST', '/access/refresh_jwt', { body: { refresh_token: login.refresh_token } });
    assert.equal(refreshed.username, 'maker');
    assert.equal(refreshed.action, 'user_jwt_refresh');
    const token: string = refreshed.token;
    assert.equal((await call('GET', '/access/user', { headers: { authorization: `Bearer ${token}` } })).username, 'maker');
    const oneshot: string = await call('GET', '/access/oneshot_token', { headers: { authorization: `Bearer ${token}` } });
    assert.match(oneshot, /^[A-Z2-7]{32}$/);

    // The websocket, authenticated by the oneshot token; identify with the access token; one call.
    const fluidd = await RpcClient.open(port, { query: { token: oneshot } });
    sockets.push(fluidd);
    const fid = await fluidd.call('server.connection.identify', {
      client_name: 'Fluidd', version: 'v1.36.0', type: 'web', url: 'https://github.com/fluidd-core/fluidd', access_token: token,
    });
    assert.equal(typeof fid.result?.connection_id, 'number', JSON.stringify(fid));
    const me = await fluidd.result('access.get_user');
    assert.equal(me.username, 'maker');
    assert.equal(me.source, 'moonraker');
    assert.equal(typeof me.created_on, 'number');
  } finally {
    for (const c of sockets) await c.close().catch(() => {});
    try { process.kill(-p.pid!, 'SIGTERM'); } catch { /* already gone */ }
    const timer = setTimeout(() => { try { process.kill(-p.pid!, 'SIGKILL'); } catch { /* gone */ } }, 10_000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  }
  assert.match(out, /gatehouse listening on http:\/\/127\.0\.0\.1:\d+/, out);
});

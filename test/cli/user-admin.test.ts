// Issue 22, point 7: what an admin needs without the server's API —
// `gatehouse user disable|enable NAME` and `gatehouse user sessions NAME [--revoke-all]` —
// run as an operator runs them: the real CLI (bin/gatehouse.js) as its own process on
// the data directory of a running server, whose answers follow within its sync
// interval. Wording: docs/notes/grafana-admin-api.md §10.
// Written before the commands existed (as todo tests); they all run now.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Running } from '../helpers/server.js';
import { basic, errutil, mkUser, startGrafana } from '../grafana/helpers.js';
import { cookie, eventually, loginAs, moonrakerLogin, moonrakerWhoami } from '../grafana/callers.js';
import { RpcClient } from '../websocket/client.js';

const TODO = {};
const BIN = resolve('bin/gatehouse.js');

let dir: string;
let s: Running;

/**
 * Runs the CLI as its own process without blocking this one: the server under test runs in
 * this process, and a synchronous spawn that holds its event loop for seconds makes its
 * keep-alive timers fire late, racing the next request onto a socket being closed ("fetch failed").
 */
function cli(dataDir: string, ...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args, '--data-dir', dataDir], { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      done({ code, out: stdout, err: stderr });
    });
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli22-'));
  s = await startGrafana({}, dir);
});
after(async () => {
  await s.stop({ keepData: true });
  rmSync(dir, { recursive: true, force: true });
});

test('user disable NAME: the running server refuses the account on both faces within a second, sessions and cached Basic credentials included; user enable NAME lets the password in again', TODO, async () => {
  await mkUser(s, 'ben');
  const h = basic('ben', 'pw-ben');
  assert.equal((await s.req('GET', '/api/org', { headers: h })).status, 200, 'Basic credentials now cached');
  const c = await loginAs(s, 'ben', 'pw-ben');
  const jwt = await moonrakerLogin(s, 'ben', 'pw-ben');

  let r = await cli(dir, 'user', 'disable', 'ben');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /disabled user "ben"/);
  await eventually(async () => (await s.req('GET', '/api/org', { headers: h })).status === 401, 'Basic refused');
  assert.deepEqual((await s.req('GET', '/api/org', { headers: h })).json, errutil('Unauthorized', 'identity.disabled', 401));
  await eventually(async () => (await s.req('GET', '/api/org', { headers: cookie(c) })).status === 401, 'browser session ended');
  await eventually(async () => (await moonrakerWhoami(s, jwt)).status === 401, 'Moonraker login ended');
  assert.equal((await s.req('POST', '/access/login', { body: { username: 'ben', password: 'pw-ben' } })).status, 400);
  r = await cli(dir, 'user', 'list');
  assert.match(r.out, /^ben\t/m, 'disabled, not deleted');

  r = await cli(dir, 'user', 'enable', 'ben');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /enabled user "ben"/);
  await eventually(async () => (await s.req('GET', '/api/org', { headers: h })).status === 200, 'Basic accepted again');
  await moonrakerLogin(s, 'ben', 'pw-ben');
  assert.equal((await s.req('GET', '/api/org', { headers: cookie(c) })).status, 401, 'the old session stays ended');
});

test('user disable|enable errors: no NAME, an unknown NAME, one NAME too many; each one clear line and a non-zero exit', TODO, async () => {
  for (const sub of ['disable', 'enable']) {
    let r = await cli(dir, 'user', sub);
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`user ${sub}: missing NAME`));
    r = await cli(dir, 'user', sub, 'nobody');
    assert.equal(r.code, 1);
    assert.match(r.err, /No registered user: nobody/);
    r = await cli(dir, 'user', sub, 'ben', 'extra');
    assert.equal(r.code, 1);
    assert.match(r.err, /unexpected argument "extra"/);
  }
});

test('user sessions NAME: one line per live session of the account on either face; none: "no sessions"', TODO, async () => {
  await mkUser(s, 'sue');
  let r = await cli(dir, 'user', 'sessions', 'sue');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trim(), 'no sessions');
  await loginAs(s, 'sue', 'pw-sue');
  await moonrakerLogin(s, 'sue', 'pw-sue');
  r = await cli(dir, 'user', 'sessions', 'sue');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n');
  assert.equal(lines.length, 2, r.out);
  // ID, FACE, CREATED, SEEN, IP, CLIENT
  const faces = lines.map((l) => {
    const m = /^(\S+)\t(grafana|moonraker)\t(\d{4}-\d\d-\d\dT\S+)\t(\d{4}-\d\d-\d\dT\S+)\t127\.0\.0\.1\t/.exec(l);
    assert.ok(m, `session line: ${JSON.stringify(l)}`);
    return m![2];
  });
  assert.deepEqual(faces.sort(), ['grafana', 'moonraker']);
  r = await cli(dir, 'user', 'sessions', 'nobody');
  assert.equal(r.code, 1);
  assert.match(r.err, /No registered user: nobody/);
});

test('user sessions NAME --revoke-all: every session of the account ends on the running server within a second; Basic auth is no session', TODO, async () => {
  await mkUser(s, 'ivy');
  const c1 = await loginAs(s, 'ivy', 'pw-ivy');
  const c2 = await loginAs(s, 'ivy', 'pw-ivy');
  const jwt = await moonrakerLogin(s, 'ivy', 'pw-ivy');
  await mkUser(s, 'ned');
  const other = await loginAs(s, 'ned', 'pw-ned');
  const r = await cli(dir, 'user', 'sessions', 'ivy', '--revoke-all');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /revoked 3 sessions? of "ivy"/);
  for (const c of [c1, c2]) await eventually(async () => (await s.req('GET', '/api/user', { headers: cookie(c) })).status === 401, 'browser session ended');
  await eventually(async () => (await moonrakerWhoami(s, jwt)).status === 401, 'Moonraker login ended');
  assert.equal((await s.req('GET', '/api/user', { headers: basic('ivy', 'pw-ivy') })).status, 200);
  assert.equal((await s.req('GET', '/api/user', { headers: cookie(other) })).status, 200, 'another account\'s session lives on');
  assert.equal((await cli(dir, 'user', 'sessions', 'ivy')).out.trim(), 'no sessions');
});

test('the last enabled server admin: user disable and user delete refuse it', TODO, async () => {
  const alone = mkdtempSync(join(tmpdir(), 'gatehouse-cli22-admin-'));
  try {
    // a data directory whose only server admin is the bootstrap admin (made by the server's first start)
    await (await startGrafana({}, alone)).stop({ keepData: true });
    let r = await cli(alone, 'user', 'list');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^admin\t/m);
    for (const sub of ['disable', 'delete']) {
      r = await cli(alone, 'user', sub, 'admin');
      assert.equal(r.code, 1, `user ${sub} admin: ${r.out}`);
      assert.match(r.err, /cannot remove last grafana admin/);
    }
    assert.match((await cli(alone, 'user', 'list')).out, /^admin\t/m, 'still there');
  } finally {
    rmSync(alone, { recursive: true, force: true });
  }
});

test('user create and user delete by the CLI reach the running server\'s websockets as notify_user_created and notify_user_deleted, once each, within its sync interval', async () => {
  const c = await RpcClient.open(s.port);
  try {
    assert.ok((await c.identify({ api_key: s.apiKey() })).result);
    let r = await cli(dir, 'user', 'create', 'cleo', '--password', 'pw-cleo');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(await c.next((m) => m.method === 'notify_user_created'), { jsonrpc: '2.0', method: 'notify_user_created', params: [{ username: 'cleo' }] });
    r = await cli(dir, 'user', 'delete', 'cleo');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(await c.next((m) => m.method === 'notify_user_deleted'), { jsonrpc: '2.0', method: 'notify_user_deleted', params: [{ username: 'cleo' }] });
    // a user this server creates itself is announced by its own write, not again by the next reload
    assert.equal((await s.req('POST', '/access/user', { body: { username: 'dion', password: 'pw-dion' }, headers: { 'x-api-key': s.apiKey() } })).status, 200);
    assert.equal((await cli(dir, 'user', 'disable', 'ben')).code, 0, 'another process writes: the server reloads everything');
    await eventually(async () => (await s.req('GET', '/api/org', { headers: basic('ben', 'pw-ben') })).status === 401, 'reloaded');
    assert.deepEqual(c.notifications('notify_user_created').map((m) => m.params[0].username), ['cleo', 'dion']);
    assert.deepEqual(c.notifications('notify_user_deleted').map((m) => m.params[0].username), ['cleo']);
    assert.equal((await cli(dir, 'user', 'enable', 'ben')).code, 0);
  } finally {
    await c.close();
  }
});

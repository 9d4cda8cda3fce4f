// Issue 22, point 3: the signed-in user's PUT /api/user, PUT /api/user/password,
// GET /api/user/auth-tokens and POST /api/user/revoke-auth-token, as
// docs/notes/grafana-admin-api.md §4 gives them; other sessions end at once on a
// password change (cookie, Basic and a Moonraker JWT).
// Written before the routes existed (as todo tests); they all run now.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Running } from '../helpers/server.js';
import { basic, errutil, mkUser, startGrafana } from './helpers.js';
import { CHROME_UA, FIREFOX_UA, cookie, loginAs, mkCallers, moonrakerLogin, moonrakerWhoami, type Callers } from './callers.js';

const TODO = {};
const ONLY_USERS = { message: 'Endpoint only available for users' };

let s: Running;
let c: Callers;

before(async () => {
  s = await startGrafana();
  c = await mkCallers(s, 'm');
});
after(() => s.stop());

test('every /api/user route acts on the caller\'s own account: Viewer, org Admin and server admin alike; 401 without credentials', TODO, async () => {
  for (const [who, headers] of [['Viewer', c.viewer], ['org Admin', c.orgAdmin], ['server admin', c.serverAdmin]] as const) {
    const me = (await s.req('GET', '/api/user', { headers })).json;
    const put = await s.req('PUT', '/api/user', { headers, body: { name: `${who} renamed`, login: me.login, email: me.email } });
    assert.equal(put.status, 200, `${who}: ${put.text}`);
    assert.equal((await s.req('GET', '/api/user', { headers })).json.name, `${who} renamed`);
    const tokens = await s.req('GET', '/api/user/auth-tokens', { headers });
    assert.equal(tokens.status, 200, `${who}: ${tokens.text}`);
    assert.ok(Array.isArray(tokens.json));
  }
  for (const [method, path, body] of [
    ['PUT', '/api/user', { name: 'x' }],
    ['PUT', '/api/user/password', { oldPassword: 'a', newPassword: 'bbbbbbbb' }],
    ['GET', '/api/user/auth-tokens', undefined],
    ['POST', '/api/user/revoke-auth-token', { authTokenId: 1 }],
  ] as const) {
    const r = await s.req(method, path, { body });
    assert.equal(r.status, 401, `${method} ${path}`);
    assert.deepEqual(r.json, errutil('Unauthorized', 'auth.unauthorized', 401));
  }
});

test('API keys and service-account tokens are not users: 403 on every /api/user route', TODO, async () => {
  for (const [who, headers] of [['API key', c.apiKey], ['service-account token', c.saToken]] as const) {
    const put = await s.req('PUT', '/api/user', { headers, body: { name: 'robot', login: 'robot' } });
    assert.equal(put.status, 403, `${who}: ${put.text}`);
    assert.deepEqual(put.json, ONLY_USERS);
    const pw = await s.req('PUT', '/api/user/password', { headers, body: { oldPassword: 'a', newPassword: 'bbbbbbbb' } });
    assert.equal(pw.status, 403, `${who}: ${pw.text}`);
    assert.deepEqual(pw.json, ONLY_USERS);
    // 10.3–10.4's exact wording for the token routes was not read (12.x: "entity not allowed to get tokens" /
    // "... to revoke tokens"; 10.0–10.2: 404 "User not found"): status 403 and a message.
    for (const [method, path, body] of [['GET', '/api/user/auth-tokens', undefined], ['POST', '/api/user/revoke-auth-token', { authTokenId: 1 }]] as const) {
      const r = await s.req(method, path, { headers, body });
      assert.equal(r.status, 403, `${who} ${method} ${path}: ${r.text}`);
      assert.equal(typeof r.json.message, 'string');
    }
  }
  // a bad body is refused before the identity is looked at (bind comes first)
  assert.deepEqual((await s.req('PUT', '/api/user/password', { headers: { ...c.apiKey, 'content-type': 'application/json' }, raw: '{' })).json, { message: 'bad request data' });
});

test('PUT /api/user: name, email and login; the new login signs in on both faces at once; fields not sent are kept', TODO, async () => {
  await mkUser(s, 'ursula');
  const h = basic('ursula', 'pw-ursula');
  const jwt = await moonrakerLogin(s, 'ursula', 'pw-ursula');
  const r = await s.req('PUT', '/api/user', { headers: h, body: { name: 'Ursula U', email: ' ursula@example.org ', login: ' ursa ' } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { message: 'User updated' });
  const me = (await s.req('GET', '/api/user', { headers: basic('ursa', 'pw-ursula') })).json;
  assert.deepEqual([me.name, me.email, me.login], ['Ursula U', 'ursula@example.org', 'ursa'], 'trimmed');
  assert.equal((await s.req('GET', '/api/user', { headers: h })).status, 401, 'the old login no longer signs in');
  await moonrakerLogin(s, 'ursa', 'pw-ursula');
  // a Moonraker login made before the rename either follows the account or ends; it never answers for the old name
  const before = await moonrakerWhoami(s, jwt);
  if (before.status === 200) assert.equal(before.json.result.username, 'ursa');
  else assert.equal(before.status, 401);
  const hn = basic('ursa', 'pw-ursula');
  assert.equal((await s.req('PUT', '/api/user', { headers: hn, body: { login: 'ursa', name: '' } })).status, 200);
  assert.equal((await s.req('GET', '/api/user', { headers: hn })).json.name, 'Ursula U', 'an empty field is not written');
});

test('PUT /api/user errors: bad data 400, neither login nor email 400, another account\'s login or email 409', TODO, async () => {
  const bad = await s.req('PUT', '/api/user', { headers: { ...c.viewer, 'content-type': 'application/json' }, raw: '[1,2' });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.json, { message: 'bad request data' });
  const neither = await s.req('PUT', '/api/user', { headers: c.viewer, body: { name: 'just a name' } });
  assert.equal(neither.status, 400, neither.text);
  assert.equal(typeof neither.json.message, 'string'); // errutil user.empty-username-and-email; public wording not read from source
  for (const body of [{ login: 'M-ANN' }, { login: 'm-vic', email: 'admin@localhost' }]) {
    const r = await s.req('PUT', '/api/user', { headers: c.viewer, body });
    assert.equal(r.status, 409, `${JSON.stringify(body)}: ${r.text}`);
    assert.deepEqual(r.json, { message: 'Update would result in user login conflict' });
  }
  assert.equal((await s.req('GET', '/api/user', { headers: c.viewer })).json.login, 'm-vic', 'unchanged');
});

test('PUT /api/user/password: wrong old password 401, too short 400, confirmNew not read; success ends the account\'s other sessions at once', TODO, async () => {
  await mkUser(s, 'paula', 'pw-paula-1');
  const mine = await loginAs(s, 'paula', 'pw-paula-1', CHROME_UA);
  const other = await loginAs(s, 'paula', 'pw-paula-1', FIREFOX_UA);
  const jwt = await moonrakerLogin(s, 'paula', 'pw-paula-1');
  const put = (body: unknown, headers: Record<string, string> = cookie(mine)) => s.req('PUT', '/api/user/password', { headers, body });

  const wrong = await put({ oldPassword: 'not-it', newPassword: 'pw-paula-2', confirmNew: 'pw-paula-2' });
  assert.equal(wrong.status, 401, wrong.text);
  assert.deepEqual(wrong.json, { message: 'Invalid old password' });
  // Too short: 10.3+ refuses 4 characters or fewer through errutil (messageId password-policy-too-short),
  // 10.0–10.2 fewer than 4 as a plain message; the words are the same. 3 characters is short for both.
  const short = await put({ oldPassword: 'pw-paula-1', newPassword: 'abc' });
  assert.equal(short.status, 400, short.text);
  assert.equal(short.json.message, 'New password is too short');
  assert.deepEqual((await put({ oldPassword: 'pw-paula-1', newPassword: 7 })).json, { message: 'bad request data' });

  const ok = await put({ oldPassword: 'pw-paula-1', newPassword: 'pw-paula-2', confirmNew: 'something else entirely' });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json, { message: 'User password changed' });
  assert.equal((await s.req('GET', '/api/user', { headers: cookie(mine) })).status, 200, 'the session that changed it lives on');
  assert.equal((await s.req('GET', '/api/user', { headers: cookie(other) })).status, 401, 'the other browser session ended');
  assert.equal((await moonrakerWhoami(s, jwt)).status, 401, 'the Moonraker login ended');
  assert.equal((await s.req('GET', '/api/user', { headers: basic('paula', 'pw-paula-1') })).status, 401, 'old password, Basic');
  assert.equal((await s.req('GET', '/api/user', { headers: basic('paula', 'pw-paula-2') })).status, 200, 'new password, Basic');
  const moon = await s.req('POST', '/access/login', { body: { username: 'paula', password: 'pw-paula-1' } });
  assert.equal(moon.status, 400, 'old password on the Moonraker face');
  await moonrakerLogin(s, 'paula', 'pw-paula-2');
  // through Basic auth the same works; every session of the account ends (Basic has none to keep)
  const again = await put({ oldPassword: 'pw-paula-2', newPassword: 'pw-paula-3' }, basic('paula', 'pw-paula-2'));
  assert.equal(again.status, 200, again.text);
  assert.equal((await s.req('GET', '/api/user', { headers: cookie(mine) })).status, 401);
});

test('GET /api/user/auth-tokens: the caller\'s sessions with Grafana\'s fields; isActive marks the one the request rides on', TODO, async () => {
  await mkUser(s, 'theo');
  const chrome = await loginAs(s, 'theo', 'pw-theo', CHROME_UA);
  const firefox = await loginAs(s, 'theo', 'pw-theo', FIREFOX_UA);
  const r = await s.req('GET', '/api/user/auth-tokens', { headers: cookie(chrome) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.length, 2);
  const active = r.json.filter((t: any) => t.isActive);
  assert.equal(active.length, 1);
  assert.equal(active[0].browser, 'Chrome');
  assert.deepEqual([active[0].browserVersion, active[0].os, active[0].osVersion, active[0].device], ['120.0', 'Windows', '10', 'Other']);
  const ff = r.json.find((t: any) => !t.isActive);
  assert.deepEqual([ff.browser, ff.browserVersion, ff.os], ['Firefox', '121.0', 'Linux']);
  for (const t of r.json) {
    assert.equal(typeof t.id, 'number');
    assert.equal(t.clientIp, '127.0.0.1');
    assert.match(t.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    assert.match(t.seenAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    assert.ok(Date.parse(t.seenAt) >= Date.parse(t.createdAt));
  }
  const fromFirefox = (await s.req('GET', '/api/user/auth-tokens', { headers: cookie(firefox) })).json;
  assert.equal(fromFirefox.find((t: any) => t.isActive).browser, 'Firefox');
  const viaBasic = (await s.req('GET', '/api/user/auth-tokens', { headers: basic('theo', 'pw-theo') })).json;
  assert.equal(viaBasic.length, 2);
  assert.ok(viaBasic.every((t: any) => t.isActive === false), 'Basic auth rides on no session');
  // another account's sessions are not listed
  assert.ok(!(await s.req('GET', '/api/user/auth-tokens', { headers: c.viewer })).json.some((t: any) => r.json.some((x: any) => x.id === t.id)));
});

test('POST /api/user/revoke-auth-token: another session of mine ends at once; not the current one; not another account\'s', TODO, async () => {
  await mkUser(s, 'rosa');
  const mine = await loginAs(s, 'rosa', 'pw-rosa', CHROME_UA);
  const other = await loginAs(s, 'rosa', 'pw-rosa', FIREFOX_UA);
  const listed = await s.req('GET', '/api/user/auth-tokens', { headers: cookie(mine) });
  assert.equal(listed.status, 200, listed.text);
  const list = listed.json;
  const current = list.find((t: any) => t.isActive);
  const second = list.find((t: any) => !t.isActive);
  const revoke = (body: unknown, headers: Record<string, string> = cookie(mine)) => s.req('POST', '/api/user/revoke-auth-token', { headers, body });

  const r = await revoke({ authTokenId: second.id });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { message: 'User auth token revoked' });
  assert.equal((await s.req('GET', '/api/user', { headers: cookie(other) })).status, 401);
  assert.equal((await s.req('GET', '/api/user', { headers: cookie(mine) })).status, 200);

  const self = await revoke({ authTokenId: current.id });
  assert.equal(self.status, 400);
  assert.deepEqual(self.json, { message: 'Cannot revoke active user auth token' });
  for (const id of [second.id, 987654]) {
    const nf = await revoke({ authTokenId: id });
    assert.equal(nf.status, 404, nf.text);
    assert.deepEqual(nf.json, { message: 'User auth token not found' });
  }
  await mkUser(s, 'sam');
  const sams = await loginAs(s, 'sam', 'pw-sam');
  const samToken = (await s.req('GET', '/api/user/auth-tokens', { headers: cookie(sams) })).json[0].id;
  const foreign = await revoke({ authTokenId: samToken });
  assert.equal(foreign.status, 404, 'another account\'s session');
  assert.deepEqual(foreign.json, { message: 'User auth token not found' });
  assert.equal((await s.req('GET', '/api/user', { headers: cookie(sams) })).status, 200);
  assert.deepEqual((await revoke({ authTokenId: 'one' })).json, { message: 'bad request data' });
  // a Moonraker login is one of the account's sessions too (note §8.4)
  const jwt = await moonrakerLogin(s, 'rosa', 'pw-rosa');
  const moon = (await s.req('GET', '/api/user/auth-tokens', { headers: cookie(mine) })).json.find((t: any) => t.browser === 'Firefox');
  assert.equal((await revoke({ authTokenId: moon.id })).status, 200);
  assert.equal((await moonrakerWhoami(s, jwt)).status, 401);
});

test('PUT /api/user/password with an empty or an over-long old password: 401 "Invalid old password", never a 500', async () => {
  await mkUser(s, 'olive', 'pw-olive-1');
  const h = basic('olive', 'pw-olive-1');
  for (const oldPassword of ['', 'x'.repeat(5000)]) {
    const r = await s.req('PUT', '/api/user/password', { headers: h, body: { oldPassword, newPassword: 'pw-olive-2' } });
    assert.equal(r.status, 401, `${oldPassword.length} characters: ${r.text}`);
    assert.deepEqual(r.json, { message: 'Invalid old password' });
  }
  assert.equal((await s.req('GET', '/api/user', { headers: h })).status, 200, 'the password is unchanged');
});

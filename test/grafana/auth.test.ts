// Authentication on the Grafana face, as Grafana accepts it: Basic user:password
// (login or email), Bearer keys, Basic api_key:<key>, the session cookie of
// POST /login (GET /logout, rotation, lifetimes), GET /api/login/ping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, admin, apiKeyBasic, basic, bearer, cookieHeader, errutil, login, mkKey, mkUser, setCookies, sleep, startGrafana } from './helpers.js';

const BAD_CREDS = errutil('Invalid username or password', 'password-auth.failed', 401);

test('no credentials: 401 Unauthorized in errutil shape; unknown /api route: 404 {"message":"Not found"}', async () => {
  const s = await startGrafana();
  try {
    const r = await s.req('GET', '/api/org');
    assert.equal(r.status, 401);
    assert.deepEqual(r.json, errutil('Unauthorized', 'auth.unauthorized', 401));
    const nf = await s.req('GET', '/api/does-not-exist', { headers: admin() });
    assert.equal(nf.status, 404);
    assert.deepEqual(nf.json, { message: 'Not found' });
    // Moonraker's routes keep their own format
    const m = await s.req('GET', '/access/nothing');
    assert.deepEqual(m.json, { error: { code: 404, message: 'Not Found' } });
  } finally {
    await s.stop();
  }
});

test('Basic user:password: by login or email, case-insensitively; wrong password gives Grafana\'s body', async () => {
  const s = await startGrafana();
  try {
    assert.equal((await s.req('GET', '/api/org', { headers: admin() })).status, 200);
    assert.equal((await s.req('GET', '/api/org', { headers: basic('admin@localhost', ADMIN_PASSWORD) })).status, 200);
    assert.equal((await s.req('GET', '/api/org', { headers: basic('ADMIN', ADMIN_PASSWORD) })).status, 200);
    // scheme is case-insensitive, as Go's Request.BasicAuth
    const lower = { authorization: 'basic ' + Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64') };
    assert.equal((await s.req('GET', '/api/org', { headers: lower })).status, 200);
    const bad = await s.req('GET', '/api/org', { headers: basic('admin', 'wrong') });
    assert.equal(bad.status, 401);
    assert.deepEqual(bad.json, BAD_CREDS);
    const nobody = await s.req('GET', '/api/org', { headers: basic('nobody', 'x') });
    assert.deepEqual(nobody.json, BAD_CREDS);
    const empty = await s.req('GET', '/api/org', { headers: basic('admin', '') });
    assert.deepEqual(empty.json, BAD_CREDS);
  } finally {
    await s.stop();
  }
});

test('one identity: a Moonraker user is a Grafana user, Viewer of the default org', async () => {
  const s = await startGrafana();
  try {
    await mkUser(s, 'ada', 'pw-ada');
    const orgs = await s.req('GET', '/api/user/orgs', { headers: basic('ada', 'pw-ada') });
    assert.deepEqual(orgs.json, [{ orgId: 1, name: 'Main Org.', role: 'Viewer' }]);
    const me = await s.req('GET', '/api/user', { headers: basic('ada', 'pw-ada') });
    assert.equal(me.json.login, 'ada');
    assert.equal(me.json.isGrafanaAdmin, false);
    assert.equal(me.json.orgId, 1);
  } finally {
    await s.stop();
  }
});

test('basic auth is served from the verified-credential cache after the first request, and the cache follows password changes and deletion at once', async () => {
  const s = await startGrafana();
  try {
    await mkUser(s, 'bo', 'pw-bo-1'); // its first basic-auth request verifies the password for real
    const h = basic('bo', 'pw-bo-1');
    const cache = s.gh.core.verify.credentials;
    const resolve = (id: number) => s.gh.core.accounts.getById(id);
    assert.equal(cache.get('bo', 'pw-bo-1', resolve)?.username, 'bo', 'the first success is remembered');
    const size = cache.size;
    for (let i = 0; i < 10; i++) assert.equal((await s.req('GET', '/api/org', { headers: h })).status, 200);
    assert.equal(cache.size, size, 'later requests hit the same entry');
    // what is cached is an HMAC of the pair, never the password itself
    assert.ok(!JSON.stringify([...(cache as any).entries.keys()]).includes('pw-bo-1'));
    // the password is never what is cached: a different password for the same login is checked for real
    assert.equal((await s.req('GET', '/api/org', { headers: basic('bo', 'pw-bo-1x') })).status, 401);
    // change the password through Moonraker: the old one stops working on the next request
    const lg = await s.req('POST', '/access/login', { body: { username: 'bo', password: 'pw-bo-1' } });
    const pw = await s.req('POST', '/access/user/password', { headers: { authorization: `Bearer ${lg.json.result.token}` }, body: { password: 'pw-bo-1', new_password: 'pw-bo-2' } });
    assert.equal(pw.status, 200, pw.text);
    assert.equal((await s.req('GET', '/api/org', { headers: h })).status, 401);
    assert.equal((await s.req('GET', '/api/org', { headers: basic('bo', 'pw-bo-2') })).status, 200);
    // delete the account: refused on the next request
    const del = await s.req('DELETE', '/access/user', { headers: { 'x-api-key': s.apiKey() }, body: { username: 'bo' } });
    assert.equal(del.status, 200, del.text);
    assert.deepEqual((await s.req('GET', '/api/org', { headers: basic('bo', 'pw-bo-2') })).json, BAD_CREDS);
  } finally {
    await s.stop();
  }
});

test('a disabled account is refused with identity.disabled, even from the cache', async () => {
  const s = await startGrafana();
  try {
    const id = await mkUser(s, 'cy', 'pw-cy');
    assert.equal((await s.req('GET', '/api/org', { headers: basic('cy', 'pw-cy') })).status, 200);
    await s.gh.core.accounts.update(id, { isDisabled: true });
    const r = await s.req('GET', '/api/org', { headers: basic('cy', 'pw-cy') });
    assert.equal(r.status, 401);
    assert.deepEqual(r.json, errutil('Unauthorized', 'identity.disabled', 401));
  } finally {
    await s.stop();
  }
});

test('[auth.basic] enabled = false: user:password refused, api_key: still works', async () => {
  const s = await startGrafana({ auth_basic: { enabled: false } });
  try {
    const c = await login(s, 'admin', ADMIN_PASSWORD);
    const { key } = (await s.req('POST', '/api/auth/keys', { headers: { cookie: c }, body: { name: 'k', role: 'Viewer' } })).json;
    const r = await s.req('GET', '/api/org', { headers: admin() });
    assert.equal(r.status, 401);
    assert.deepEqual(r.json, errutil('Unauthorized', 'auth.unauthorized', 401));
    assert.equal((await s.req('GET', '/api/org', { headers: apiKeyBasic(key) })).status, 200);
  } finally {
    await s.stop();
  }
});

test('Bearer and Basic api_key: keys; a bad key is "Invalid API key"; "bearer" in lower case is not a key', async () => {
  const s = await startGrafana();
  try {
    const { key } = await mkKey(s, 'k1', 'Viewer');
    assert.equal((await s.req('GET', '/api/org', { headers: bearer(key) })).status, 200);
    assert.equal((await s.req('GET', '/api/org', { headers: apiKeyBasic(key) })).status, 200);
    const bad = await s.req('GET', '/api/org', { headers: apiKeyBasic(key.slice(0, -4) + 'AAA=') });
    assert.deepEqual(bad.json, errutil('Invalid API key', 'api-key.invalid', 401));
    const lower = await s.req('GET', '/api/org', { headers: { authorization: `bearer ${key}` } });
    assert.equal(lower.status, 401);
    assert.deepEqual(lower.json, errutil('Unauthorized', 'auth.unauthorized', 401));
  } finally {
    await s.stop();
  }
});

test('POST /login: bad data 400, bad credentials 401, success sets grafana_session (HttpOnly, SameSite=Lax, Max-Age 30d) and grafana_session_expiry', async () => {
  const s = await startGrafana();
  try {
    for (const body of [{}, { user: 'admin' }, { password: 'x' }, { user: '', password: 'x' }]) {
      const r = await s.req('POST', '/login', { body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.deepEqual(r.json, errutil('bad login data', 'form-auth.invalid', 400));
    }
    assert.equal((await s.req('POST', '/login', { raw: '{nope', headers: { 'content-type': 'application/json' } })).status, 400);
    const bad = await s.req('POST', '/login', { body: { user: 'admin', password: 'nope' } });
    assert.equal(bad.status, 401);
    assert.deepEqual(bad.json, BAD_CREDS);
    const ok = await s.req('POST', '/login', { body: { user: 'admin', password: ADMIN_PASSWORD } });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json, { message: 'Logged in', redirectUrl: '/' });
    const set = setCookies(ok.headers);
    assert.match(set.grafana_session!, /^grafana_session=[0-9A-Za-z]{32}; Path=\/; Max-Age=2592000; HttpOnly; SameSite=Lax$/);
    assert.match(set.grafana_session_expiry!, /^grafana_session_expiry=\d+; Path=\/; Max-Age=2592000; SameSite=Lax$/);
    const c = cookieHeader(ok.headers);
    const me = await s.req('GET', '/api/user', { headers: { cookie: c } });
    assert.equal(me.status, 200);
    assert.equal(me.json.login, 'admin');
    // the token is stored hashed, never as is
    const token = /grafana_session=([^;]+)/.exec(c)![1]!;
    const row = await s.gh.store.webSessions.byHash(token);
    assert.equal(row, undefined);
  } finally {
    await s.stop();
  }
});

test('cookie options: login_cookie_name, cookie_secure, cookie_samesite', async () => {
  const s = await startGrafana({ auth: { login_cookie_name: 'gh_sess' }, security: { cookie_secure: true, cookie_samesite: 'strict' } });
  try {
    const ok = await s.req('POST', '/login', { body: { user: 'admin', password: ADMIN_PASSWORD } });
    const set = setCookies(ok.headers);
    assert.match(set.gh_sess!, /; HttpOnly; Secure; SameSite=Strict$/);
    assert.equal((await s.req('GET', '/api/org', { headers: { cookie: cookieHeader(ok.headers) } })).status, 200);
    assert.equal((await s.req('GET', '/api/org', { headers: { cookie: cookieHeader(ok.headers).replace('gh_sess', 'grafana_session') } })).status, 401);
  } finally {
    await s.stop();
  }
});

test('GET /logout ends that session only, clears the cookies and redirects (signout_redirect_url)', async () => {
  const s = await startGrafana({ auth: { signout_redirect_url: 'https://sso.example/logout' } });
  try {
    const c1 = await login(s, 'admin', ADMIN_PASSWORD);
    const c2 = await login(s, 'admin', ADMIN_PASSWORD);
    const out = await fetch(s.base + '/logout', { headers: { cookie: c1 }, redirect: 'manual' });
    assert.equal(out.status, 302);
    assert.equal(out.headers.get('location'), 'https://sso.example/logout');
    assert.match(out.headers.getSetCookie().join('\n'), /grafana_session=; Path=\/; Max-Age=0/);
    const r = await s.req('GET', '/api/org', { headers: { cookie: c1 } });
    assert.equal(r.status, 401);
    assert.deepEqual(r.json, { message: 'Unauthorized' });
    // a failed session cookie is cleared in the answer
    assert.match(r.headers.getSetCookie().join('\n'), /grafana_session=; Path=\/; Max-Age=0/);
    assert.equal((await s.req('GET', '/api/org', { headers: { cookie: c2 } })).status, 200);
    // without a session, logout still redirects (to /login by default on another server)
  } finally {
    await s.stop();
  }
  const t = await startGrafana();
  try {
    const out = await fetch(t.base + '/logout', { redirect: 'manual' });
    assert.equal(out.status, 302);
    assert.equal(out.headers.get('location'), '/login');
  } finally {
    await t.stop();
  }
});

test('session rotation: a request after token_rotation_interval gets a new token; the old one keeps working for a grace minute only', async () => {
  const s = await startGrafana({ auth: { token_rotation_interval_minutes: 0.01 } });
  try {
    const c1 = await login(s, 'admin', ADMIN_PASSWORD);
    const first = await s.req('GET', '/api/org', { headers: { cookie: c1 } });
    assert.equal(first.headers.getSetCookie().length, 0, 'no rotation before the interval');
    await sleep(700);
    const r = await s.req('GET', '/api/org', { headers: { cookie: c1 } });
    assert.equal(r.status, 200);
    const set = setCookies(r.headers);
    assert.ok(set.grafana_session, 'rotated');
    const c2 = cookieHeader(r.headers);
    assert.notEqual(c2, c1);
    assert.equal((await s.req('GET', '/api/user', { headers: { cookie: c2 } })).status, 200);
    assert.equal((await s.req('GET', '/api/user', { headers: { cookie: c1 } })).status, 200, 'previous token within its grace period');
    // explicit rotation (Grafana 10.3+)
    const rot = await s.req('POST', '/api/user/auth-tokens/rotate', { headers: { cookie: c2 } });
    assert.equal(rot.status, 200);
    assert.ok(setCookies(rot.headers).grafana_session);
  } finally {
    await s.stop();
  }
});

test('session lifetimes: idle longer than login_maximum_inactive_lifetime_duration, or older than login_maximum_lifetime_duration, is refused', async () => {
  const idle = await startGrafana({ auth: { login_maximum_inactive_lifetime_duration: 1 } });
  try {
    const c = await login(idle, 'admin', ADMIN_PASSWORD);
    // kept in use, it lives past the idle limit
    for (let i = 0; i < 4; i++) {
      assert.equal((await idle.req('GET', '/api/org', { headers: { cookie: c } })).status, 200);
      await sleep(400);
    }
    await sleep(1200);
    assert.equal((await idle.req('GET', '/api/org', { headers: { cookie: c } })).status, 401);
  } finally {
    await idle.stop();
  }
  const max = await startGrafana({ auth: { login_maximum_lifetime_duration: 2 } });
  try {
    const c = await login(max, 'admin', ADMIN_PASSWORD);
    const set = (await max.req('POST', '/login', { body: { user: 'admin', password: ADMIN_PASSWORD } })).headers.getSetCookie().join('\n');
    assert.match(set, /Max-Age=2;/);
    for (let i = 0; i < 3; i++) {
      assert.equal((await max.req('GET', '/api/org', { headers: { cookie: c } })).status, 200);
      await sleep(500);
    }
    await sleep(800);
    assert.equal((await max.req('GET', '/api/org', { headers: { cookie: c } })).status, 401, 'kept busy, but older than the maximum lifetime');
  } finally {
    await max.stop();
  }
});

test('a password change ends the account\'s browser sessions', async () => {
  const s = await startGrafana();
  try {
    await mkUser(s, 'dee', 'pw-dee');
    const c = await login(s, 'dee', 'pw-dee');
    assert.equal((await s.req('GET', '/api/user', { headers: { cookie: c } })).status, 200);
    const lg = await s.req('POST', '/access/login', { body: { username: 'dee', password: 'pw-dee' } });
    await s.req('POST', '/access/user/password', { headers: { authorization: `Bearer ${lg.json.result.token}` }, body: { password: 'pw-dee', new_password: 'pw-dee-2' } });
    assert.equal((await s.req('GET', '/api/user', { headers: { cookie: c } })).status, 401);
  } finally {
    await s.stop();
  }
});

test('[auth] disable_login_form: POST /login answers 401 "Login is disabled"', async () => {
  const s = await startGrafana({ auth: { disable_login_form: true } });
  try {
    const r = await s.req('POST', '/login', { body: { user: 'admin', password: ADMIN_PASSWORD } });
    assert.equal(r.status, 401);
    assert.deepEqual(r.json, { message: 'Login is disabled' });
    assert.equal((await s.req('GET', '/api/org', { headers: admin() })).status, 200, 'basic auth unaffected');
  } finally {
    await s.stop();
  }
});

test('GET /api/login/ping: 200 signed in (any credential), 401 otherwise (a bad credential counts as none)', async () => {
  const s = await startGrafana();
  try {
    const { key } = await mkKey(s, 'ping', 'Viewer');
    assert.deepEqual((await s.req('GET', '/api/login/ping', { headers: admin() })).json, { message: 'Logged in' });
    assert.equal((await s.req('GET', '/api/login/ping', { headers: bearer(key) })).status, 200);
    const c = await login(s, 'admin', ADMIN_PASSWORD);
    assert.equal((await s.req('GET', '/api/login/ping', { headers: { cookie: c } })).status, 200);
    for (const headers of [{}, basic('admin', 'wrong'), bearer('eyJnope')]) {
      const r = await s.req('GET', '/api/login/ping', { headers });
      assert.equal(r.status, 401);
      assert.deepEqual(r.json, { message: 'Unauthorized' });
    }
  } finally {
    await s.stop();
  }
});

test('secrets never reach the log: keys, passwords, session tokens', async () => {
  const s = await startGrafana();
  try {
    const { key } = await mkKey(s, 'secret-key', 'Viewer');
    await s.req('GET', '/api/org', { headers: bearer(key) });
    await s.req('GET', '/api/org', { headers: basic('admin', 'wrong-password-xyz') });
    const c = await login(s, 'admin', ADMIN_PASSWORD);
    await s.req('GET', '/api/org?api_key=' + key, { headers: { cookie: c } });
    const logs = s.logs.join('');
    const token = /grafana_session=([^;]+)/.exec(c)![1]!;
    for (const secret of [key, ADMIN_PASSWORD, 'wrong-password-xyz', token]) assert.ok(!logs.includes(secret), `log contains ${secret.slice(0, 6)}…`);
  } finally {
    await s.stop();
  }
});

test('cookie-authenticated changes from another origin are refused (CSRF); same origin and API keys are not affected', async () => {
  const s = await startGrafana();
  try {
    const c = await login(s, 'admin', ADMIN_PASSWORD);
    const evil = await s.req('POST', '/api/auth/keys', { headers: { cookie: c, origin: 'https://evil.example' }, body: { name: 'csrf', role: 'Admin' } });
    assert.equal(evil.status, 403);
    assert.deepEqual(evil.json, { message: 'origin not allowed' });
    // a form post as text/plain from another site is refused the same way
    const form = await s.req('POST', '/api/auth/keys', { headers: { cookie: c, origin: 'null', 'content-type': 'text/plain' }, raw: '{"name":"csrf","role":"Admin"}' });
    assert.equal(form.status, 403);
    const same = await s.req('POST', '/api/auth/keys', { headers: { cookie: c, origin: s.base }, body: { name: 'ok', role: 'Viewer' } });
    assert.equal(same.status, 200);
    assert.equal((await s.req('GET', '/api/org', { headers: { cookie: c, origin: 'https://evil.example' } })).status, 200, 'reads are not changes');
    const { key } = same.json;
    assert.equal((await s.req('POST', '/api/auth/keys', { headers: { ...bearer(key), origin: 'https://evil.example' }, body: { name: 'x', role: 'Viewer' } })).status, 403, 'Viewer key: denied by role, not origin');
    const adminKey = await mkKey(s, 'adm', 'Admin');
    assert.equal((await s.req('POST', '/api/auth/keys', { headers: { ...bearer(adminKey.key), origin: 'https://evil.example' }, body: { name: 'y', role: 'Viewer' } })).status, 200);
  } finally {
    await s.stop();
  }
});

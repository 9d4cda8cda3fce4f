// The admin UI's server side over plain HTTP: the JSON API takes a browser session
// only and a CSRF token on every change; the server refuses what a role may not do;
// the shell's security headers; the size of the whole UI; where it is served.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { ADMIN_PASSWORD, admin, login, mkUser, startGrafana } from '../grafana/helpers.js';
import { startGateway } from '../gateway/helpers.js';

test('the UI API: session cookie only, and every change needs the CSRF token (a missing, wrong or cross-site one is refused)', async () => {
  const s = await startGrafana();
  try {
    const cookie = await login(s, 'admin', ADMIN_PASSWORD);
    // Basic auth (or any credential but the session cookie) is not taken
    assert.equal((await s.req('GET', '/gatehouse/api/session', { headers: admin() })).status, 401);
    assert.equal((await s.req('GET', '/gatehouse/api/grafana/api/auth/keys', { headers: admin() })).status, 401);
    assert.deepEqual((await s.req('GET', '/gatehouse/api/session')).json, { user: null }, 'signed out: a 200 that says so');
    const session = await s.req('GET', '/gatehouse/api/session', { headers: { cookie } });
    assert.equal(session.status, 200, session.text);
    const token: string = session.json.csrfToken;
    assert.equal(session.json.user.login, 'admin');

    const key = s.apiKey();
    for (const headers of [{} as Record<string, string>, { 'x-gatehouse-csrf': 'wrong' }, { 'x-gatehouse-csrf': token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A') }]) {
      const r = await s.req('POST', '/gatehouse/api/moonraker/api-key', { headers: { cookie, ...headers } });
      assert.equal(r.status, 403, r.text);
      assert.match(r.json.message, /CSRF/);
      const k = await s.req('POST', '/gatehouse/api/grafana/api/auth/keys', { headers: { cookie, ...headers }, body: { name: 'csrf', role: 'Admin' } });
      assert.equal(k.status, 403, k.text);
    }
    // a cross-site page cannot send the header without a preflight; with it anyway, the Origin check refuses
    const cross = await s.req('POST', '/gatehouse/api/moonraker/api-key', { headers: { cookie, 'x-gatehouse-csrf': token, origin: 'http://evil.example' } });
    assert.equal(cross.status, 403, cross.text);
    assert.equal(s.apiKey(), key, 'the Moonraker key was not rotated by a refused request');
    assert.equal((await s.req('GET', '/api/auth/keys', { headers: admin() })).json.length, 0, 'no key was made');

    // must hold: the right token changes things
    const ok = await s.req('POST', '/gatehouse/api/moonraker/api-key', { headers: { cookie, 'x-gatehouse-csrf': token } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.key, s.apiKey());
    assert.notEqual(ok.json.key, key);
  } finally {
    await s.stop();
  }
});

test('the server refuses what the page hides from a Viewer; the last server admin stays', async () => {
  const s = await startGrafana();
  try {
    await mkUser(s, 'vic', 'vic-password-1');
    const cookie = await login(s, 'vic', 'vic-password-1');
    const session = (await s.req('GET', '/gatehouse/api/session', { headers: { cookie } })).json;
    assert.equal(session.orgRole, 'Viewer');
    const h = { cookie, 'x-gatehouse-csrf': session.csrfToken };
    for (const [method, path, body] of [
      ['GET', '/gatehouse/api/users'], ['POST', '/gatehouse/api/users', { login: 'x', password: 'xxxxxxxx1' }],
      ['GET', '/gatehouse/api/moonraker/api-key'], ['POST', '/gatehouse/api/moonraker/api-key'], ['GET', '/gatehouse/api/audit'],
      ['GET', '/gatehouse/api/grafana/api/auth/keys'], ['POST', '/gatehouse/api/grafana/api/auth/keys', { name: 'v', role: 'Viewer' }],
      ['POST', '/gatehouse/api/grafana/api/serviceaccounts', { name: 'v', role: 'Viewer' }],
      ['GET', '/gatehouse/api/moonraker/keys'], ['POST', '/gatehouse/api/moonraker/keys', { name: 'v', scope: 'read' }], ['DELETE', '/gatehouse/api/moonraker/keys/v'],
      ['PUT', '/gatehouse/api/users/1/disabled', { isDisabled: true }], ['PUT', '/gatehouse/api/users/1/scope', { scope: 'read' }],
    ] as [string, string, unknown?][]) {
      const r = await s.req(method, path, { headers: h, body });
      assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
    }
    // the admin: cannot delete or demote the last server admin (itself included): the core's one
    // authority answers (src/core/actions/authority.ts), with Grafana's words, as on /api/admin/users

    const ac = await login(s, 'admin', ADMIN_PASSWORD);
    const as = (await s.req('GET', '/gatehouse/api/session', { headers: { cookie: ac } })).json;
    const ah = { cookie: ac, 'x-gatehouse-csrf': as.csrfToken };
    const demote = await s.req('PUT', `/gatehouse/api/users/${as.user.id}/admin`, { headers: ah, body: { isGrafanaAdmin: false } });
    assert.equal(demote.status, 400, demote.text);
    assert.equal(demote.json.message, 'cannot remove last grafana admin');
    const self = await s.req('DELETE', `/gatehouse/api/users/${as.user.id}`, { headers: ah });
    assert.equal(self.status, 400, self.text);
    const list = await s.req('GET', '/gatehouse/api/users?query=vi', { headers: ah });
    assert.deepEqual(list.json.users.map((u: { login: string }) => u.login), ['vic']);
    const del = await s.req('DELETE', `/gatehouse/api/users/${list.json.users[0].id}`, { headers: ah });
    assert.equal(del.status, 200, del.text);
  } finally {
    await s.stop();
  }
});

test('the new routes answer bad input with a clear JSON error, never a 500', async () => {
  const s = await startGrafana();
  try {
    const uid = await mkUser(s, 'bea', 'bea-password-1');
    const cookie = await login(s, 'admin', ADMIN_PASSWORD);
    const session = (await s.req('GET', '/gatehouse/api/session', { headers: { cookie } })).json;
    const h = { cookie, 'x-gatehouse-csrf': session.csrfToken };
    for (const [method, path, body, status, message] of [
      ['PUT', `/gatehouse/api/users/${uid}/scope`, { scope: 'everything' }, 400, /scope/i],
      ['PUT', `/gatehouse/api/users/${uid}/disabled`, { isDisabled: 'yes' }, 400, /isDisabled|bad request|invalid/i],
      ['PUT', '/gatehouse/api/users/99999/disabled', { isDisabled: true }, 404, /not found/i],
      ['PUT', '/gatehouse/api/users/x/scope', { scope: 'read' }, 400, /userId is invalid/],
      ['POST', '/gatehouse/api/moonraker/keys', { name: 'ok-name', scope: 'root' }, 400, /scope/i],
      ['POST', '/gatehouse/api/moonraker/keys', { name: 'ok-name', scope: 'read', expiresIn: -5 }, 400, /expires_in/],
      ['DELETE', '/gatehouse/api/moonraker/keys/no-such-key', undefined, 404, /no-such-key/],
      ['DELETE', '/gatehouse/api/profile/sessions/abc', undefined, 400, /id is invalid/],
      ['DELETE', '/gatehouse/api/profile/sessions/99999', undefined, 404, /not found/],
    ] as [string, string, unknown, number, RegExp][]) {
      const r = await s.req(method, path, { headers: h, body });
      assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
      assert.match(r.json.message, message, `${method} ${path}`);
    }
    // this very session is not revoked one by one (sign out, or sign out everywhere)
    const mine = (await s.req('GET', '/gatehouse/api/profile/sessions', { headers: h })).json.find((x: { current: boolean }) => x.current);
    const self = await s.req('DELETE', `/gatehouse/api/profile/sessions/${mine.id}`, { headers: h });
    assert.equal(self.status, 400, self.text);
    // a named key made twice: the second is refused
    assert.equal((await s.req('POST', '/gatehouse/api/moonraker/keys', { headers: h, body: { name: 'twice', scope: 'read' } })).status, 200);
    const again = await s.req('POST', '/gatehouse/api/moonraker/keys', { headers: h, body: { name: 'twice', scope: 'read' } });
    assert.equal(again.status, 400, again.text);
    assert.match(again.json.message, /already exists/);
  } finally {
    await s.stop();
  }
});

test('the shell: strict CSP without inline script, no framing, and the whole UI under 100 KiB gzipped', async () => {
  const s = await startGrafana();
  try {
    for (const path of ['/', '/gatehouse/', '/login', '/gatehouse/login']) {
      const r = await s.req('GET', path);
      assert.equal(r.status, 200, path);
      const csp = r.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.equal(r.headers.get('x-frame-options'), 'DENY', path);
      assert.doesNotMatch(r.text, /<script(?![^>]*\bsrc=)[^>]*>/, `${path}: no inline script`);
    }
    let total = 0;
    for (const f of ['ui.js', 'ui.css', 'favicon.svg']) {
      const r = await s.req('GET', `/gatehouse/public/${f}`);
      assert.equal(r.status, 200, f);
      total += gzipSync(r.text).length;
    }
    assert.ok(total < 100 * 1024, `the UI is ${total} bytes gzipped`);
    for (const name of ['__proto__', 'constructor', 'toString']) assert.equal((await s.req('GET', `/gatehouse/public/${name}`)).status, 404, name);
  } finally {
    await s.stop();
  }
});

test('in gateway mode the UI lives under the prefix (/ is the upstream\'s), and at / on the Grafana face\'s own listener', async () => {
  const g = await startGateway();
  try {
    const shell = await g.s.req('GET', '/gatehouse/');
    assert.equal(shell.status, 200);
    assert.match(shell.text, /data-prefix="\/gatehouse\/" data-login="\/gatehouse\/login"/);
    assert.equal((await g.s.req('GET', '/gatehouse/public/ui.js')).status, 200);
    await g.s.req('GET', '/', { headers: { 'x-api-key': g.s.apiKey() } });
    assert.deepEqual(g.up.requests.map((r: { url: string }) => r.url), ['/'], '/ is forwarded to the upstream');
    const own = await fetch(`${g.grafanaBase}/`);
    assert.equal(own.status, 200);
    assert.match(await own.text(), /data-login="\/login"/);
  } finally {
    await g.stop();
  }
});

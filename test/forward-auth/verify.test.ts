// GET /auth/verify, black-box, with both faces on (as shipped): 200 and the
// Remote-* headers for every credential kind either face accepts, a 401 that
// is cheap and never cached otherwise, with a sign-in hint for browsers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, type Running } from '../helpers/server.js';
import { ADMIN_PASSWORD, addToOrg, admin, apiKeyBasic, basic, login as grafanaLogin, mkKey, mkOrg, mkUser } from '../grafana/helpers.js';
import { createUser, mint, serverKey } from '../moonraker/helpers.js';

async function start(over: Parameters<typeof startGatehouse>[0] = {}): Promise<Running> {
  return startGatehouse({ gatehouse: { grafana_enabled: true }, security: { admin_password: ADMIN_PASSWORD }, ...over });
}

const remote = (h: Headers) => ({
  user: h.get('remote-user'), name: h.get('remote-name'), email: h.get('remote-email') ?? '', groups: h.get('remote-groups'), role: h.get('remote-role'),
});

test('every credential kind gatehouse accepts: 200 with Remote-User/Name/Email/Groups/Role, never cached', async () => {
  const s = await start();
  try {
    const moon = await createUser(s, 'ada', 'pw-ada-1');
    await mkUser(s, 'bo', 'pw-bo-1');
    const key = await mkKey(s, 'viewer-key', 'Viewer');
    const sa = await s.req('POST', '/api/serviceaccounts', { headers: admin(), body: { name: 'robot', role: 'Editor' } });
    const saToken = (await s.req('POST', `/api/serviceaccounts/${sa.json.id}/tokens`, { headers: admin(), body: { name: 't' } })).json.key;
    const cookie = await grafanaLogin(s, 'admin', ADMIN_PASSWORD);

    const cases: [string, Record<string, string>, ReturnType<typeof remote>][] = [
      ['Moonraker JWT', { authorization: `Bearer ${moon.token}` }, { user: 'ada', name: 'ada', email: '', groups: 'user,role-viewer', role: 'Viewer' }],
      ['Moonraker JWT in X-Access-Token', { 'x-access-token': moon.token }, { user: 'ada', name: 'ada', email: '', groups: 'user,role-viewer', role: 'Viewer' }],
      ['Moonraker X-Api-Key', { 'x-api-key': s.apiKey() }, { user: '_API_KEY_USER_', name: '_API_KEY_USER_', email: '', groups: 'api-key,role-admin', role: 'Admin' }],
      ['Grafana API key', { authorization: `Bearer ${key.key}` }, { user: 'api_key:viewer-key', name: 'api_key:viewer-key', email: '', groups: 'grafana-api-key,role-viewer', role: 'Viewer' }],
      ['Basic api_key:<key>', apiKeyBasic(key.key), { user: 'api_key:viewer-key', name: 'api_key:viewer-key', email: '', groups: 'grafana-api-key,role-viewer', role: 'Viewer' }],
      ['service-account token', { authorization: `Bearer ${saToken}` }, { user: 'sa-robot', name: 'robot', email: '', groups: 'service-account,role-editor', role: 'Editor' }],
      ['Basic user:password', basic('bo', 'pw-bo-1'), { user: 'bo', name: 'bo', email: '', groups: 'user,role-viewer', role: 'Viewer' }],
      ['session cookie', { cookie }, { user: 'admin', name: 'admin', email: 'admin@localhost', groups: 'user,role-admin,grafana-admin', role: 'Admin' }],
      ['Basic admin', admin(), { user: 'admin', name: 'admin', email: 'admin@localhost', groups: 'user,role-admin,grafana-admin', role: 'Admin' }],
    ];
    for (const [what, headers, expected] of cases) {
      for (const method of ['GET', 'HEAD', 'POST']) {
        const r = await s.req(method, '/auth/verify', { headers });
        assert.equal(r.status, 200, `${what} ${method}: ${r.text}`);
        assert.deepEqual(remote(r.headers), expected, what);
        assert.equal(r.headers.get('cache-control'), 'no-store', what);
        assert.equal(r.headers.get('set-cookie'), null, `${what}: nothing to pass to the browser (a session is not rotated here)`);
      }
    }
  } finally {
    await s.stop();
  }
});

test('a named Moonraker key (issue 20) is accepted like the global key: group moonraker-key and its scope, no Grafana role; revoked, it is a 401', async () => {
  const s = await start();
  try {
    const made = (await s.req('POST', '/access/api_keys', { headers: { 'x-api-key': s.apiKey() }, body: { name: 'ha', scope: 'control' } })).json.result;
    const r = await s.req('GET', '/auth/verify', { headers: { 'x-api-key': made.key } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(remote(r.headers), { user: '_API_KEY_USER_', name: '_API_KEY_USER_', email: '', groups: 'moonraker-key,role-none,scope-control', role: 'None' });
    await s.req('DELETE', '/access/api_keys?name=ha', { headers: { 'x-api-key': s.apiKey() } });
    assert.equal((await s.req('GET', '/auth/verify', { headers: { 'x-api-key': made.key } })).status, 401);
  } finally {
    await s.stop();
  }
});

test('Remote-Role is the role in the org the request acts in (X-Grafana-Org-Id), None outside it', async () => {
  const s = await start();
  try {
    const ada = await createUser(s, 'ada', 'pw-ada-1');
    const org = await mkOrg(s, 'Farm');
    await addToOrg(s, org, 'ada', 'Editor');
    const h = { authorization: `Bearer ${ada.token}` };
    assert.equal((await s.req('GET', '/auth/verify', { headers: h })).headers.get('remote-role'), 'Viewer');
    assert.equal((await s.req('GET', '/auth/verify', { headers: { ...h, 'x-grafana-org-id': String(org) } })).headers.get('remote-role'), 'Editor');
    const none = await s.req('GET', '/auth/verify', { headers: { ...h, 'x-grafana-org-id': '999' } });
    assert.equal(none.status, 200);
    assert.deepEqual([none.headers.get('remote-role'), none.headers.get('remote-groups')], ['None', 'user,role-none']);
  } finally {
    await s.stop();
  }
});

test('refusals: 401, JSON for API clients, a sign-in hint for browsers; trusted addresses and ?access_token= are not credentials here', async () => {
  const s = await start({ authorization: { trusted_clients: ['127.0.0.0/8'] } });
  try {
    const ada = await createUser(s, 'ada', 'pw-ada-1');
    const expired = await mint(serverKey(s.dataDir), { iss: `http://127.0.0.1:${s.port}`, aud: 'Moonraker', username: 'ada', token_type: 'access', iat: 1, exp: 2 });
    for (const [what, headers] of [
      ['nothing (from a trusted address)', {}],
      ['a wrong X-Api-Key', { 'x-api-key': 'nope' }],
      ['a bad JWT', { authorization: 'Bearer a.b.c' }],
      ['an expired JWT', { authorization: `Bearer ${expired}` }],
      ['a wrong password', basic('ada', 'wrong')],
      ['an unknown Grafana key', { authorization: 'Bearer glsa_notarealtoken_00000000' }],
      ['a stale session cookie', { cookie: 'grafana_session=deadbeef' }],
      ['a refresh token', { authorization: `Bearer ${ada.refresh}` }],
    ] as [string, Record<string, string>][]) {
      const r = await s.req('GET', '/auth/verify', { headers });
      assert.equal(r.status, 401, `${what}: ${r.text}`);
      assert.equal(r.json.error.code, 401, what);
      assert.equal(r.headers.get('cache-control'), 'no-store', what);
      assert.equal(r.headers.get('location'), null, what);
      assert.equal(r.headers.get('remote-user'), null, what);
    }
    assert.equal((await s.req('GET', `/auth/verify?access_token=${ada.token}`)).status, 401);

    // a browser is pointed at the sign-in page, with the page it wanted (same-site paths only)
    const browser = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    const b = await s.req('GET', '/auth/verify', { headers: { ...browser, 'x-original-uri': '/grafana/d/abc?x=1' } });
    assert.equal(b.status, 401);
    assert.equal(b.headers.get('location'), '/gatehouse/login?redirect=%2Fgrafana%2Fd%2Fabc%3Fx%3D1');
    assert.match(b.text, /href="\/gatehouse\/login\?redirect=%2Fgrafana%2Fd%2Fabc%3Fx%3D1"/);
    const traefik = await s.req('GET', '/auth/verify', { headers: { ...browser, 'x-forwarded-uri': '/app/', 'x-forwarded-method': 'GET' } });
    assert.equal(traefik.headers.get('location'), '/gatehouse/login?redirect=%2Fapp%2F');
    const offsite = await s.req('GET', '/auth/verify', { headers: { ...browser, 'x-original-uri': '//evil.example/x' } });
    assert.equal(offsite.headers.get('location'), '/gatehouse/login');
    // and the page it points at is there
    assert.equal((await s.req('GET', '/gatehouse/login?redirect=%2Fapp%2F')).status, 200);
  } finally {
    await s.stop();
  }
});

test('a configured login_url, and /auth/verify on the Grafana face\'s own listener too', async () => {
  const s = await start({ gatehouse: { grafana_enabled: true, grafana_host: '127.0.0.1', grafana_port: 0 }, security: { admin_password: ADMIN_PASSWORD }, gateway: { login_url: 'https://auth.example/gatehouse/login' } });
  try {
    const g = s.gh.grafanaAddress()!;
    const r = await fetch(`http://127.0.0.1:${g.port}/auth/verify`, { headers: admin() });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('remote-user'), 'admin');
    const b = await s.req('GET', '/auth/verify', { headers: { accept: 'text/html', 'x-original-url': 'https://printer.example/server/info' } });
    assert.equal(b.headers.get('location'), 'https://auth.example/gatehouse/login?redirect=%2Fserver%2Finfo');
  } finally {
    await s.stop();
  }
});

test('the Grafana face off: Moonraker\'s credentials still verify (with no Grafana role)', async () => {
  const s = await startGatehouse({ gatehouse: { grafana_enabled: false } });
  try {
    const ada = await createUser(s, 'ada', 'pw-ada-1');
    const r = await s.req('GET', '/auth/verify', { headers: { authorization: `Bearer ${ada.token}` } });
    assert.equal(r.status, 200);
    assert.deepEqual([r.headers.get('remote-user'), r.headers.get('remote-role'), r.headers.get('remote-groups')], ['ada', 'None', 'user,role-none']);
    assert.equal((await s.req('GET', '/auth/verify', { headers: basic('ada', 'pw-ada-1') })).status, 401, 'Basic is the Grafana face\'s');
  } finally {
    await s.stop();
  }
});

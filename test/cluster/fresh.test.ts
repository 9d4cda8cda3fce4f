// Issue 21 point 2: anything issued on one instance works on every other at once.
// The request to B is sent the moment A answers: B may not have heard A's change
// yet, so what its memory lacks it looks up in the store (bounded: garbage is
// remembered as unknown). Several trials each, so the race is lost often.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, basic, bearer, moonrakerLogin, startCluster, type Instance } from '../helpers/instances.js';

const TRIALS = 8;
let cluster: Awaited<ReturnType<typeof startCluster>>;
let a: Instance, b: Instance;
let apiKey: string;
const admin = basic('admin', ADMIN_PASSWORD);
before(async () => {
  cluster = await startCluster(2);
  [a, b] = cluster.nodes as [Instance, Instance];
  const { token } = await moonrakerLogin(a, 'admin', ADMIN_PASSWORD);
  apiKey = (await a.req('GET', '/access/api_key', { headers: bearer(token) })).json.result;
});
after(() => cluster.stop());

test('a user created on A logs in on B at once; its login, refresh and oneshot tokens from A work on B at once', async () => {
  for (let i = 0; i < TRIALS; i++) {
    const made = await a.req('POST', '/access/user', { body: { username: `fresh${i}`, password: 'fresh-pw' }, headers: { 'x-api-key': apiKey } });
    assert.equal(made.status, 200, made.text);
    const onB = await moonrakerLogin(b, `fresh${i}`, 'fresh-pw');
    assert.ok(onB.token);
    const onA = await moonrakerLogin(a, `fresh${i}`, 'fresh-pw');
    const me = await b.req('GET', '/access/user', { headers: bearer(onA.token) });
    assert.equal(me.status, 200, `trial ${i}: ${me.text}`);
    assert.equal(me.json.result.username, `fresh${i}`);
    const refreshed = await a.req('POST', '/access/refresh_jwt', { body: { refresh_token: onA.refresh } });
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.equal((await b.req('GET', '/access/user', { headers: bearer(refreshed.json.result.token) })).status, 200);
    const oneshot = await a.req('GET', '/access/oneshot_token', { headers: bearer(onA.token) });
    const used = await b.req('GET', `/access/user?token=${oneshot.json.result}`);
    assert.equal(used.status, 200, `oneshot, trial ${i}: ${used.text}`);
    assert.equal(used.json.result.username, `fresh${i}`);
  }
});

test('a Grafana API key, a service-account token and a web session made on A work on B at once', async () => {
  for (let i = 0; i < TRIALS; i++) {
    const key = await a.req('POST', '/api/auth/keys', { headers: admin, body: { name: `k${i}`, role: 'Viewer' } });
    assert.equal(key.status, 200, key.text);
    const withKey = await b.req('GET', '/api/org', { headers: bearer(key.json.key) });
    assert.equal(withKey.status, 200, `key, trial ${i}: ${withKey.text}`);

    const sa = await a.req('POST', '/api/serviceaccounts', { headers: admin, body: { name: `bot${i}`, role: 'Editor' } });
    assert.equal(sa.status, 201, sa.text);
    const token = await a.req('POST', `/api/serviceaccounts/${sa.json.id}/tokens`, { headers: admin, body: { name: `t${i}` } });
    assert.equal(token.status, 200, token.text);
    const withToken = await b.req('GET', '/api/org', { headers: bearer(token.json.key) });
    assert.equal(withToken.status, 200, `SA token, trial ${i}: ${withToken.text}`);

    const login = await a.req('POST', '/login', { body: { user: 'admin', password: ADMIN_PASSWORD } });
    assert.equal(login.status, 200, login.text);
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const signedIn = await b.req('GET', '/api/user', { headers: { cookie } });
    assert.equal(signedIn.status, 200, `web session, trial ${i}: ${signedIn.text}`);
  }
});

test('an account created on A signs in with Basic auth on B\'s Grafana face at once', async () => {
  for (let i = 0; i < TRIALS; i++) {
    const made = await a.req('POST', '/access/user', { body: { username: `g${i}`, password: 'grafana-pw' }, headers: { 'x-api-key': apiKey } });
    assert.equal(made.status, 200, made.text);
    const me = await b.req('GET', '/api/user', { headers: basic(`g${i}`, 'grafana-pw') });
    assert.equal(me.status, 200, `trial ${i}: ${me.text}`);
  }
});

test('unknown well-formed keys are refused on B (401), again and again (repeats are answered by a negative cache)', async () => {
  const garbage = `glsa_${'x'.repeat(32)}_${'0'.repeat(8)}`;
  for (let i = 0; i < 20; i++) assert.equal((await b.req('GET', '/api/org', { headers: bearer(garbage) })).status, 401);
});

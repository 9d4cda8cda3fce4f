// Issue 21 point 3: anything revoked on one instance is refused on every other
// within 100 ms (LISTEN/NOTIFY, not polling: the poll was every second), and an
// instance whose listening connection is lost answers 503 until it has caught up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { ADMIN_PASSWORD, bearer, moonrakerLogin, startCluster, type Instance } from '../helpers/instances.js';

const PG_ADMIN_URL = process.env.GATEHOUSE_TEST_PG_ADMIN ?? 'postgres://postgres@127.0.0.1:5432/test';
const TRIALS = 30;
// The test's bound proves a push (no poll: a change arrives as it happens), with room for a
// loaded CI machine; the issue's 100 ms worst case is measured by bench/cluster.ts (median,
// p99 and worst over 100 trials), as timing belongs in the benchmark, not the suite.
const WITHIN_MS = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let cluster: Awaited<ReturnType<typeof startCluster>>;
let a: Instance, b: Instance;
let apiKey: string;
before(async () => {
  cluster = await startCluster(2);
  [a, b] = cluster.nodes as [Instance, Instance];
  const { token } = await moonrakerLogin(a, 'admin', ADMIN_PASSWORD);
  apiKey = (await a.req('GET', '/access/api_key', { headers: bearer(token) })).json.result;
  const made = await a.req('POST', '/access/user', { body: { username: 'walker', password: 'walker-pw' }, headers: { 'x-api-key': apiKey } });
  assert.equal(made.status, 200, made.text);
});
after(() => cluster.stop());

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
const dbName = () => new URL(cluster.url).pathname.slice(1);

test(`a logout on A is refused on B ${WITHIN_MS} ms after A answers, in each of ${TRIALS} trials`, async () => {
  for (let i = 0; i < TRIALS; i++) {
    const { token } = await moonrakerLogin(a, 'walker', 'walker-pw');
    assert.equal((await b.req('GET', '/access/user', { headers: bearer(token) })).status, 200, 'B knows the login at once');
    assert.equal((await a.req('POST', '/access/logout', { headers: bearer(token) })).status, 200);
    await sleep(WITHIN_MS);
    const r = await b.req('GET', '/access/user', { headers: bearer(token) });
    assert.equal(r.status, 401, `trial ${i}: ${r.text}`);
  }
});

test(`a Moonraker API key rotated on A: the old key is refused and the new one accepted on B within ${WITHIN_MS} ms`, async () => {
  for (let i = 0; i < 5; i++) {
    const rotated = await a.req('POST', '/access/api_key', { headers: { 'x-api-key': apiKey } });
    assert.equal(rotated.status, 200, rotated.text);
    await sleep(WITHIN_MS);
    assert.equal((await b.req('GET', '/access/user', { headers: { 'x-api-key': apiKey } })).status, 401);
    apiKey = rotated.json.result;
    assert.equal((await b.req('GET', '/access/user', { headers: { 'x-api-key': apiKey } })).status, 200);
  }
});

test(`a password change and a deletion on A reach B within ${WITHIN_MS} ms`, async () => {
  await a.req('POST', '/access/user', { body: { username: 'short-lived', password: 'pw-one' }, headers: { 'x-api-key': apiKey } });
  const first = await moonrakerLogin(b, 'short-lived', 'pw-one');
  const second = await moonrakerLogin(a, 'short-lived', 'pw-one');
  const reset = await a.req('POST', '/access/user/password', { body: { password: 'pw-one', new_password: 'pw-two' }, headers: bearer(second.token) });
  assert.equal(reset.status, 200, reset.text);
  await sleep(WITHIN_MS);
  assert.equal((await b.req('GET', '/access/user', { headers: bearer(first.token) })).status, 401, 'the other logins end');
  assert.equal((await b.req('POST', '/access/login', { body: { username: 'short-lived', password: 'pw-one' } })).status, 400, 'the old password is refused (Moonraker: 400 Invalid Password)');
  const again = await moonrakerLogin(b, 'short-lived', 'pw-two');
  const del = await a.req('DELETE', '/access/user', { body: { username: 'short-lived' }, headers: { 'x-api-key': apiKey } });
  assert.equal(del.status, 200, del.text);
  await sleep(WITHIN_MS);
  assert.equal((await b.req('GET', '/access/user', { headers: bearer(again.token) })).status, 401);
});

test(`a Grafana API key deleted, a service-account token deleted and a web session ended on A are refused on B within ${WITHIN_MS} ms`, async () => {
  const admin = { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` };
  for (let i = 0; i < 5; i++) {
    const key = await a.req('POST', '/api/auth/keys', { headers: admin, body: { name: `gone${i}`, role: 'Viewer' } });
    assert.equal((await b.req('GET', '/api/org', { headers: bearer(key.json.key) })).status, 200);
    assert.equal((await a.req('DELETE', `/api/auth/keys/${key.json.id}`, { headers: admin })).status, 200);
    await sleep(WITHIN_MS);
    assert.equal((await b.req('GET', '/api/org', { headers: bearer(key.json.key) })).status, 401, `key, trial ${i}`);

    const sa = await a.req('POST', '/api/serviceaccounts', { headers: admin, body: { name: `gone-bot${i}`, role: 'Viewer' } });
    const token = await a.req('POST', `/api/serviceaccounts/${sa.json.id}/tokens`, { headers: admin, body: { name: 't' } });
    assert.equal((await b.req('GET', '/api/org', { headers: bearer(token.json.key) })).status, 200);
    assert.equal((await a.req('DELETE', `/api/serviceaccounts/${sa.json.id}/tokens/${token.json.id}`, { headers: admin })).status, 200);
    await sleep(WITHIN_MS);
    assert.equal((await b.req('GET', '/api/org', { headers: bearer(token.json.key) })).status, 401, `SA token, trial ${i}`);

    const login = await a.req('POST', '/login', { body: { user: 'admin', password: ADMIN_PASSWORD } });
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    assert.equal((await b.req('GET', '/api/user', { headers: { cookie } })).status, 200);
    const out = await a.req('GET', '/logout', { headers: { cookie } });
    assert.ok(out.status === 302 || out.status === 200, `logout: ${out.status}`);
    await sleep(WITHIN_MS);
    assert.equal((await b.req('GET', '/api/user', { headers: { cookie } })).status, 401, `web session, trial ${i}`);
  }
});

test('the listening connection lost: B answers 503 in each face\'s envelope (never stale), then catches up by itself and refuses what was revoked meanwhile', async () => {
  const { token } = await moonrakerLogin(a, 'walker', 'walker-pw');
  assert.equal((await b.req('GET', '/access/user', { headers: bearer(token) })).status, 200);
  // B cannot listen again while the database refuses new connections; its pooled ones stay.
  await admin((c) => c.query(`ALTER DATABASE ${dbName()} ALLOW_CONNECTIONS false`));
  try {
    const killed = await admin((c) => c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [dbName(), `gatehouse listener ${b.proc.pid}`]));
    assert.equal(killed.rowCount, 1, "B's listener");
    await sleep(200);
    const m = await b.req('GET', '/access/user', { headers: bearer(token) });
    assert.equal(m.status, 503, m.text);
    assert.equal(m.json.error.code, 503);
    const g = await b.req('GET', '/api/user', { headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` } });
    assert.equal(g.status, 503, g.text);
    assert.match(g.json.message, /catching up/);
    // A logout on A while B is deaf.
    assert.equal((await a.req('POST', '/access/logout', { headers: bearer(token) })).status, 200);
  } finally {
    await admin((c) => c.query(`ALTER DATABASE ${dbName()} ALLOW_CONNECTIONS true`));
  }
  let status = 503;
  for (let i = 0; i < 100 && status === 503; i++) {
    await sleep(100);
    status = (await b.req('GET', '/access/user', { headers: bearer(token) })).status;
  }
  assert.equal(status, 401, 'caught up: the logout made meanwhile is known');
  const fresh = await moonrakerLogin(a, 'walker', 'walker-pw');
  assert.equal((await b.req('GET', '/access/user', { headers: bearer(fresh.token) })).status, 200);
});

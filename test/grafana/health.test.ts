// Issue 22, point 4: GET /api/health (unauthenticated; "database": "ok", or 503
// "failing" when the store is unreachable) and GET /api/frontend/settings (the
// auth-relevant subset), as docs/notes/grafana-admin-api.md §5 gives them.
// Written before the routes existed (as todo tests); they all run now.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { Running } from '../helpers/server.js';
import { startGatehouse } from '../helpers/server.js';
import { createTempDatabase } from '../helpers/postgres.js';
import { admin, basic, bearer, errutil, startGrafana } from './helpers.js';
import { mkCallers, type Callers } from './callers.js';

const TODO = {};

// Option overrides (config-file names in the comments):
/** [gatehouse] store: postgres, postgres_url: URL */
const onPostgres = (url: string) => ({ gatehouse: { store: 'postgres' as const, postgres_url: url } });
/** [auth] disable_login_form = true, [users] allow_org_create = true */
const LOGIN_FORM_OFF = { auth: { disable_login_form: true }, users: { allow_org_create: true } };

const PG_ADMIN_URL = process.env.GATEHOUSE_TEST_PG_ADMIN ?? 'postgres://postgres@127.0.0.1:5432/test';

let s: Running;
let c: Callers;

before(async () => {
  s = await startGrafana();
  c = await mkCallers(s, 'h');
});
after(() => s.stop());

test('GET /api/health: no credentials needed (bad ones are ignored); {"database":"ok","version","commit"}; HEAD too', TODO, async () => {
  for (const headers of [{}, basic('admin', 'wrong'), bearer('eyJnope'), { cookie: 'grafana_session=0123456789abcdef0123456789abcdef' }] as Record<string, string>[]) {
    const r = await s.req('GET', '/api/health', { headers });
    assert.equal(r.status, 200, `${JSON.stringify(headers)}: ${r.text}`);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(r.json.database, 'ok');
    assert.match(r.json.version, /^\d+\.\d+\.\d+/, 'a Grafana-style version: grafana-client 4.x reads it in connect()');
    assert.equal(typeof r.json.commit, 'string');
    assert.deepEqual(Object.keys(r.json).filter((k) => !['database', 'version', 'commit'].includes(k)), [], r.text);
  }
  assert.equal((await s.req('GET', '/api/health', { headers: admin() })).status, 200);
  const head = await fetch(`${s.base}/api/health`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  // no new session or cookie comes of it
  assert.equal((await s.req('GET', '/api/health')).headers.getSetCookie().length, 0);
});

test('GET /api/health on PostgreSQL: 503 "database": "failing" while the store is unreachable (within Grafana\'s 5 s cache), 200 again once it is back', TODO, async () => {
  const db = await createTempDatabase();
  const name = db.url.slice(db.url.lastIndexOf('/') + 1);
  const pgAdmin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await pgAdmin.connect();
  let g: Running | undefined;
  const health = () => g!.req('GET', '/api/health');
  const until = async (status: number, ms: number) => {
    const end = Date.now() + ms;
    let last = await health();
    while (last.status !== status && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 250));
      last = await health();
    }
    return last;
  };
  try {
    g = await startGatehouse(onPostgres(db.url));
    const ok = await health();
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.database, 'ok');
    // The store becomes unreachable: nobody may connect to the database (superusers included),
    // and the connections already open are ended.
    await pgAdmin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await pgAdmin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    const failing = await until(503, 12_000);
    assert.equal(failing.status, 503, failing.text);
    assert.equal(failing.json.database, 'failing');
    assert.match(failing.json.version, /^\d+\.\d+\.\d+/, 'the rest of the body is unchanged');
    await pgAdmin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    const back = await until(200, 12_000);
    assert.equal(back.status, 200, back.text);
    assert.equal(back.json.database, 'ok');
  } finally {
    await pgAdmin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => {});
    await pgAdmin.end();
    await g?.stop();
    await db.drop();
  }
});

test('GET /api/frontend/settings: any signed-in caller (user, API key, SA token); 401 without credentials; the auth-relevant subset', TODO, async () => {
  const anon = await s.req('GET', '/api/frontend/settings');
  assert.equal(anon.status, 401);
  assert.deepEqual(anon.json, errutil('Unauthorized', 'auth.unauthorized', 401));
  for (const [who, headers] of [['Viewer', c.viewer], ['API key', c.apiKey], ['SA token', c.saToken], ['server admin', c.serverAdmin]] as const) {
    const r = await s.req('GET', '/api/frontend/settings', { headers });
    assert.equal(r.status, 200, `${who}: ${r.text}`);
  }
  const fs = (await s.req('GET', '/api/frontend/settings', { headers: c.viewer })).json;
  for (const [field, type] of [
    ['appUrl', 'string'], ['appSubUrl', 'string'], ['allowOrgCreate', 'boolean'], ['authProxyEnabled', 'boolean'],
    ['ldapEnabled', 'boolean'], ['jwtHeaderName', 'string'], ['jwtUrlLogin', 'boolean'], ['autoAssignOrg', 'boolean'],
    ['verifyEmailEnabled', 'boolean'], ['disableLoginForm', 'boolean'], ['disableUserSignUp', 'boolean'],
    ['loginHint', 'string'], ['passwordHint', 'string'], ['anonymousEnabled', 'boolean'], ['oauth', 'object'],
    ['samlEnabled', 'boolean'], ['featureToggles', 'object'], ['auth', 'object'], ['buildInfo', 'object'],
  ] as const) assert.equal(typeof fs[field], type, `${field}: ${JSON.stringify(fs[field])}`);
  assert.equal(fs.disableLoginForm, false);
  assert.equal(fs.allowOrgCreate, false);
  assert.equal(fs.ldapEnabled, false, 'no [ldap] section in the shipped defaults');
  assert.equal(fs.authProxyEnabled, false);
  assert.equal(fs.anonymousEnabled, false);
  assert.deepEqual(fs.oauth, {});
  assert.equal(fs.auth.disableLogin, false);
  assert.equal(typeof fs.auth.basicAuthStrongPasswordPolicy, 'boolean');
  for (const [field, type] of [['version', 'string'], ['commit', 'string'], ['edition', 'string'], ['hideVersion', 'boolean'], ['buildstamp', 'number'], ['env', 'string']] as const) {
    assert.equal(typeof fs.buildInfo[field], type, `buildInfo.${field}: ${JSON.stringify(fs.buildInfo)}`);
  }
  assert.equal(fs.buildInfo.version, (await s.req('GET', '/api/health')).json.version, 'one version on both routes');
  for (const v of Object.values(fs.featureToggles)) assert.equal(typeof v, 'boolean');
  // trailing slash: Grafana registers this route as /api/frontend/settings/
  assert.equal((await s.req('GET', '/api/frontend/settings/', { headers: c.viewer })).status, 200);
});

test('GET /api/frontend/settings follows the configuration: disable_login_form, allow_org_create', TODO, async () => {
  const g = await startGrafana(LOGIN_FORM_OFF);
  try {
    const fs = (await g.req('GET', '/api/frontend/settings', { headers: admin() })).json;
    assert.equal(fs.disableLoginForm, true);
    assert.equal(fs.allowOrgCreate, true);
  } finally {
    await g.stop();
  }
});

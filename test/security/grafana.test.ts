// The Grafana face under attack: forged, tampered, expired, deleted and
// cross-org keys; credentials of one face presented to the other; sessions
// outliving a password change or a deletion; brute force shared across faces;
// the audit of key events; and Grafana's own HTTP conventions (no
// WWW-Authenticate on API 401s, as Grafana).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGatehouse, type Running } from '../helpers/server.js';
import { bearer as moonBearer, createUser } from './helpers.js';
import { checksumHex } from '../../src/core/security/key-formats.js';

const ADMIN_PW = 'grafana-admin-pw-1';
let s: Running;

const basic = (user: string, password: string) => ({ authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') });
const admin = () => basic('admin', ADMIN_PW);
const gBearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function mkKey(name: string, o: { secondsToLive?: number; orgHeader?: string } = {}) {
  const r = await s.req('POST', '/api/auth/keys', { headers: { ...admin(), ...(o.orgHeader ? { 'x-grafana-org-id': o.orgHeader } : {}) }, body: { name, role: 'Admin', ...(o.secondsToLive ? { secondsToLive: o.secondsToLive } : {}) } });
  assert.equal(r.status, 200, r.text);
  return r.json as { id: number; name: string; key: string };
}

async function loginCookie(user: string, password: string): Promise<string> {
  const r = await s.req('POST', '/login', { body: { user, password } });
  assert.equal(r.status, 200, r.text);
  return r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

/** GET /api/org with these headers: 200 means the credential was accepted. */
const org = (headers: Record<string, string>) => s.req('GET', '/api/org', { headers });

function assertGrafana401(r: { status: number; json: any; headers: Headers; text: string }, message?: string) {
  assert.equal(r.status, 401, r.text);
  if (message) assert.equal(r.json.message, message);
  assert.equal(r.headers.get('www-authenticate'), null, 'Grafana sends no WWW-Authenticate on API errors');
}

before(async () => {
  s = await startGatehouse({ gatehouse: { grafana_enabled: true }, security: { admin_password: ADMIN_PW } } as any);
});
after(async () => { await s.stop(); });

describe('Grafana API keys and service-account tokens', () => {
  test('a forged legacy key (right shape, guessed secret) is refused', async () => {
    const real = await mkKey('real-key');
    const decoded = JSON.parse(Buffer.from(real.key, 'base64').toString());
    const forged = Buffer.from(JSON.stringify({ ...decoded, k: 'A'.repeat(32) })).toString('base64');
    assertGrafana401(await org(gBearer(forged)), 'Invalid API key');
    assertGrafana401(await org(basic('api_key', forged)), 'Invalid API key');
    // Same secret, another org or name in the envelope: refused too.
    assertGrafana401(await org(gBearer(Buffer.from(JSON.stringify({ ...decoded, id: 2 })).toString('base64'))), 'Invalid API key');
    assertGrafana401(await org(gBearer(Buffer.from(JSON.stringify({ ...decoded, n: 'other' })).toString('base64'))), 'Invalid API key');
    assert.equal((await org(gBearer(real.key))).status, 200);
  });

  test('glsa_ tokens: a bad checksum or an unknown secret with a valid checksum is refused', async () => {
    const secret = 'B'.repeat(32);
    assertGrafana401(await org(gBearer(`glsa_${secret}_00000000`)), 'Invalid API key');
    assertGrafana401(await org(gBearer(`glsa_${secret}_${checksumHex(`glsa_${secret}`)}`)), 'Invalid API key');
  });

  test('an expired key is refused ("Expired API key") and key_used_after_expiry is audited once a minute', async () => {
    const k = await mkKey('short-lived', { secondsToLive: 1 });
    assert.equal((await org(gBearer(k.key))).status, 200);
    await sleep(1100);
    for (let i = 0; i < 3; i++) assertGrafana401(await org(gBearer(k.key)), 'Expired API key');
    await sleep(50); // the audit write is fire-and-forget
    const events = await s.gh.core.audit.query({ event: 'key_used_after_expiry' });
    assert.equal(events.length, 1);
    assert.equal(events[0]!.ip, '127.0.0.1');
    assert.equal((events[0]!.detail as any).name, 'short-lived');
    assert.ok(!JSON.stringify(events).includes(k.key));
  });

  test('a deleted key is refused at once; key_created / key_deleted are audited without the key', async () => {
    const k = await mkKey('doomed');
    assert.equal((await org(gBearer(k.key))).status, 200);
    const del = await s.req('DELETE', `/api/auth/keys/${k.id}`, { headers: admin() });
    assert.equal(del.status, 200, del.text);
    assertGrafana401(await org(gBearer(k.key)), 'Invalid API key');
    const created = (await s.gh.core.audit.query({ event: 'key_created' })).find((e) => (e.detail as any).name === 'doomed');
    const deleted = (await s.gh.core.audit.query({ event: 'key_deleted' })).find((e) => (e.detail as any).name === 'doomed');
    assert.ok(created && deleted);
    assert.equal(created.username, 'admin');
    assert.ok(!JSON.stringify([created, deleted]).includes(k.key));
  });

  test("a key used for another org (X-Grafana-Org-Id) is refused", async () => {
    const o = await s.req('POST', '/api/orgs', { headers: admin(), body: { name: 'other-org' } });
    assert.equal(o.status, 200, o.text);
    const k = await mkKey('org1-key');
    assertGrafana401(await org({ ...gBearer(k.key), 'x-grafana-org-id': String(o.json.orgId) }), 'API key does not belong to the requested organization');
  });

  test('service-account tokens die with their service account', async () => {
    const sa = await s.req('POST', '/api/serviceaccounts', { headers: admin(), body: { name: 'robot', role: 'Viewer' } });
    assert.equal(sa.status, 201, sa.text);
    const t = await s.req('POST', `/api/serviceaccounts/${sa.json.id}/tokens`, { headers: admin(), body: { name: 'robot-token' } });
    assert.equal(t.status, 200, t.text);
    assert.equal((await org(gBearer(t.json.key))).status, 200);
    assert.equal((await s.req('DELETE', `/api/serviceaccounts/${sa.json.id}`, { headers: admin() })).status, 200);
    assertGrafana401(await org(gBearer(t.json.key)));
  });
});

describe('one identity, two faces: credentials do not cross over', () => {
  test("a Moonraker JWT is not a Grafana credential, and a Grafana key is not a Moonraker one", async () => {
    const m = await createUser(s, 'crossover', 'crossover-pw');
    assertGrafana401(await org(gBearer(m.token)));
    const k = await mkKey('cross-key');
    const r = await s.req('GET', '/access/user', { headers: moonBearer(k.key) });
    assert.equal(r.status, 401);
    const r2 = await s.req('GET', '/access/user', { headers: { 'x-api-key': k.key } });
    assert.equal(r2.status, 401);
  });

  test('a Grafana session from before a password change (made on the Moonraker face) is refused', async () => {
    const m = await createUser(s, 'sally', 'sally-pw-1');
    const cookie = await loginCookie('sally', 'sally-pw-1');
    assert.equal((await s.req('GET', '/api/user', { headers: { cookie } })).status, 200);
    const ch = await s.req('POST', '/access/user/password', { headers: moonBearer(m.token), body: { password: 'sally-pw-1', new_password: 'sally-pw-2' } });
    assert.equal(ch.status, 200, ch.text);
    await sleep(50); // the session revocation follows the core's event
    assertGrafana401(await s.req('GET', '/api/user', { headers: { cookie } }));
    assertGrafana401(await s.req('GET', '/api/user', { headers: basic('sally', 'sally-pw-1') }));
    assert.equal((await s.req('GET', '/api/user', { headers: basic('sally', 'sally-pw-2') })).status, 200);
  });

  test("a deleted user's session and basic credentials are refused", async () => {
    await createUser(s, 'dora', 'dora-pw');
    const cookie = await loginCookie('dora', 'dora-pw');
    assert.equal((await s.req('GET', '/api/user', { headers: basic('dora', 'dora-pw') })).status, 200); // now in the credential cache
    const del = await s.req('DELETE', '/access/user', { headers: { 'x-api-key': s.apiKey() }, body: { username: 'dora' } });
    assert.equal(del.status, 200);
    assertGrafana401(await s.req('GET', '/api/user', { headers: { cookie } }));
    assertGrafana401(await s.req('GET', '/api/user', { headers: basic('dora', 'dora-pw') }));
  });

  test('a forged or replayed-after-logout session cookie is refused', async () => {
    await createUser(s, 'cookie-user', 'cookie-pw');
    const cookie = await loginCookie('cookie-user', 'cookie-pw');
    assertGrafana401(await s.req('GET', '/api/user', { headers: { cookie: 'grafana_session=' + 'a'.repeat(32) } }));
    const out = await fetch(s.base + '/logout', { headers: { cookie }, redirect: 'manual' });
    assert.equal(out.status, 302);
    assertGrafana401(await s.req('GET', '/api/user', { headers: { cookie } }));
  });

  test('brute force counts across faces: failed Moonraker logins lock Grafana basic auth (Grafana threshold 5)', async () => {
    await createUser(s, 'brutus', 'brutus-pw');
    for (let i = 0; i < 5; i++) assert.equal((await s.req('POST', '/access/login', { body: { username: 'brutus', password: `guess${i}` } })).status, 400);
    assertGrafana401(await s.req('GET', '/api/user', { headers: basic('brutus', 'brutus-pw') }), 'Invalid username or password');
  });

  test('Grafana brute force: the 5th failure locks the login even for the right password, and the lockout is audited', async () => {
    await createUser(s, 'greta', 'greta-pw');
    for (let i = 0; i < 5; i++) assertGrafana401(await s.req('GET', '/api/user', { headers: basic('greta', `nope${i}`) }), 'Invalid username or password');
    assertGrafana401(await s.req('GET', '/api/user', { headers: basic('greta', 'greta-pw') }), 'Invalid username or password');
    const lock = (await s.gh.core.audit.query({ event: 'lockout', username: 'greta' }));
    assert.equal(lock.length, 1);
    assert.deepEqual(lock[0]!.detail, { face: 'grafana', scope: 'user', attempts: 5, seconds: 300 });
    const failed = await s.gh.core.audit.query({ event: 'login_failed', username: 'greta' });
    assert.equal(failed.length, 5);
  });
});

describe('Grafana face HTTP hygiene', () => {
  test('API 401s carry no WWW-Authenticate (as Grafana); every response carries the security headers; errors are {message} JSON without internals', async () => {
    const rs = [
      await s.req('GET', '/api/org'),
      await s.req('GET', '/api/org', { headers: gBearer('garbage') }),
      await s.req('GET', '/api/org', { headers: basic('nobody', 'x') }),
      await s.req('GET', '/api/nope', { headers: admin() }),
      await s.req('POST', '/api/auth/keys', { headers: { ...admin(), 'content-type': 'application/json' }, raw: '{"name":' }),
      await s.req('GET', '/api/org', { headers: admin() }),
    ];
    for (const r of rs) {
      assert.equal(r.headers.get('www-authenticate'), null);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(r.headers.get('x-frame-options'), 'DENY');
      assert.match(r.headers.get('cache-control') ?? '', /no-store/);
      if (r.status >= 400) {
        assert.equal(typeof r.json.message, 'string', r.text);
        assert.doesNotMatch(r.text, /\/work\/|node_modules|\.ts:\d|FST_|SQLITE|\bat .+:\d+:\d+/);
      }
    }
    assert.deepEqual(rs.map((r) => r.status), [401, 401, 401, 404, 400, 200]);
  });
});

/** The response head as sent, header lines lower-cased by name. */
function rawHead(port: number, path: string, headers = ''): Promise<string[]> {
  return new Promise((ok, fail) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`));
    let out = '';
    sock.on('data', (c) => { out += c; });
    sock.on('close', () => ok(out.split('\r\n\r\n')[0]!.split('\r\n').slice(1)));
    sock.on('error', fail);
  });
}

test("each security header is sent exactly once; a page's own CSP replaces the default instead of joining it", async () => {
  const names = ['x-content-type-options', 'x-frame-options', 'referrer-policy', 'cache-control', 'content-security-policy'];
  const count = (lines: string[], name: string) => lines.filter((l) => l.toLowerCase().startsWith(`${name}:`)).length;
  for (const [path, headers] of [['/api/org', ''], ['/api/org', `Authorization: Basic ${Buffer.from('admin:nope').toString('base64')}\r\n`], ['/access/info', ''], ['/nope', ''], ['/login', '']] as const) {
    const lines = await rawHead(s.port, path, headers);
    for (const n of names) assert.equal(count(lines, n), 1, `${path}: ${n} in ${lines.join(' | ')}`);
  }
  const csp = (await rawHead(s.port, '/login')).find((l) => l.toLowerCase().startsWith('content-security-policy:'))!;
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /default-src 'none'; frame-ancestors 'none'$/);
});

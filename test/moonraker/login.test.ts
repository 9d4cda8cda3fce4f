// POST /access/login: Moonraker's `_handle_login` / `_login_jwt_user`, over real HTTP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, type Running } from '../helpers/server.js';
import { assertError, bearer, claimsOf, createUser, headerOf, resultOf, whoami } from './helpers.js';
import { RpcClient } from '../websocket/client.js';

let s: Running;
before(async () => {
  // gatehouse's own lockouts off: this file makes many failed logins on purpose.
  s = await startGatehouse({ limits: { login_attempts_per_user: 0, login_attempts_per_ip: 0 }, authorization: { login_timeout: 30 } });
  await createUser(s, 'ann', 'ann-pass');
});
after(() => s.stop());

const loginReq = (body: unknown, query = '') => s.req('POST', `/access/login${query}`, { body });

describe('success', () => {
  test('result is {username, token, source, refresh_token, action: "user_logged_in"}, in that order', async () => {
    const r = resultOf(await loginReq({ username: 'ann', password: 'ann-pass' }));
    assert.deepEqual(Object.keys(r), ['username', 'token', 'source', 'refresh_token', 'action']);
    assert.equal(r.username, 'ann');
    assert.equal(r.source, 'moonraker');
    assert.equal(r.action, 'user_logged_in');
    assert.equal(typeof r.token, 'string');
    assert.equal(typeof r.refresh_token, 'string');
  });

  test('the tokens are EdDSA JWTs in Moonraker\'s shape: access 1 h, refresh login_timeout days', async () => {
    const r = resultOf(await loginReq({ username: 'ann', password: 'ann-pass' }));
    for (const t of [r.token, r.refresh_token]) {
      const h = headerOf(t);
      assert.equal(h.alg, 'EdDSA');
      assert.equal(h.typ, 'JWT');
      assert.equal(typeof h.kid, 'string');
    }
    const access = claimsOf(r.token);
    const refresh = claimsOf(r.refresh_token);
    assert.equal(access.aud, 'Moonraker');
    assert.equal(access.username, 'ann');
    assert.equal(access.token_type, 'access');
    assert.equal(access.exp - access.iat, 3600);
    assert.equal(refresh.token_type, 'refresh');
    assert.equal(refresh.exp - refresh.iat, 30 * 86400);
    assert.match(access.iss, /^http:\/\//);
  });

  test('the access token authenticates as the user', async () => {
    const r = resultOf(await loginReq({ username: 'ann', password: 'ann-pass' }));
    assert.equal(resultOf(await whoami(s, bearer(r.token))).username, 'ann');
  });

  test('source is case-insensitive ("MoonRaker"), as Moonraker lower-cases it', async () => {
    const r = resultOf(await loginReq({ username: 'ann', password: 'ann-pass', source: 'MoonRaker' }));
    assert.equal(r.source, 'moonraker');
  });
});

describe('arguments', () => {
  test('from the query string alone', async () => {
    const r = await s.req('POST', '/access/login?username=ann&password=ann-pass');
    assert.equal(resultOf(r).username, 'ann');
  });

  test('query string and JSON body are merged, the body wins (right password in the body)', async () => {
    const r = await loginReq({ password: 'ann-pass' }, '?username=ann&password=wrong');
    assert.equal(resultOf(r).username, 'ann');
  });

  test('query string and JSON body are merged, the body wins (wrong password in the body)', async () => {
    assertError(await loginReq({ password: 'wrong' }, '?username=ann&password=ann-pass'), 400, 'Invalid Password');
  });

  test('a repeated query argument: the last value counts', async () => {
    const r = await s.req('POST', '/access/login?username=ann&password=wrong&password=ann-pass');
    assert.equal(resultOf(r).username, 'ann');
  });

  test('a missing username: 400 "No data for argument: username"', async () => {
    assertError(await loginReq({ password: 'x' }), 400, 'No data for argument: username');
  });

  test('a missing password: 400 "No data for argument: password"', async () => {
    assertError(await loginReq({ username: 'ann' }), 400, 'No data for argument: password');
  });
});

describe('errors', () => {
  test('unknown user: 400 "Unregistered User: X" (Moonraker\'s source says 400; its docs suggest 401)', async () => {
    assertError(await loginReq({ username: 'nobody', password: 'x' }), 400, 'Unregistered User: nobody');
  });

  test('wrong password: 400 "Invalid Password" (source: 400, not the docs\' 401)', async () => {
    assertError(await loginReq({ username: 'ann', password: 'nope' }), 400, 'Invalid Password');
  });

  test('an unknown source: 400 "Invalid \'source\': x", lower-cased as Moonraker reports it', async () => {
    assertError(await loginReq({ username: 'ann', password: 'ann-pass', source: 'Kerberos' }), 400, "Invalid 'source': kerberos");
  });

  for (const name of ['_API_KEY_USER_', '_TRUSTED_USER_']) {
    test(`reserved name ${name}: 400 "Invalid Request for user ${name}"`, async () => {
      assertError(await loginReq({ username: name, password: 'x' }), 400, `Invalid Request for user ${name}`);
    });
  }

  test('source "ldap" with no [ldap] configured: 401 "LDAP authentication not available"', async () => {
    assertError(await loginReq({ username: 'ann', password: 'ann-pass', source: 'ldap' }), 401, 'LDAP authentication not available');
  });

  test('a reserved name is refused before LDAP availability is checked (source order)', async () => {
    assertError(await loginReq({ username: '_TRUSTED_USER_', password: 'x', source: 'ldap' }), 400, 'Invalid Request for user _TRUSTED_USER_');
  });

  test("a user of another source: 401 \"Moonraker cannot authenticate user 'X', must specify source 'ldap'\"", async () => {
    await s.gh.store.users.create({
      uid: 'ldapuser0001', username: 'lena', email: null, name: '', passwordHash: null, source: 'ldap',
      isAdmin: false, isServiceAccount: false, isDisabled: false, orgId: 1,
    });
    assertError(await loginReq({ username: 'lena', password: 'x' }), 401, "Moonraker cannot authenticate user 'lena', must specify source 'ldap'");
  });

  test('an empty password for a real user is just a wrong password', async () => {
    assertError(await loginReq({ username: 'ann', password: '' }), 400, 'Invalid Password');
  });
});

describe('max_login_attempts (per address)', () => {
  let m: Running;
  before(async () => {
    m = await startGatehouse({ authorization: { max_login_attempts: 3 }, limits: { login_attempts_per_user: 0, login_attempts_per_ip: 0 } });
    await createUser(m, 'bob', 'bob-pass');
  });
  after(() => m.stop());
  const attempt = (password: string) => m.req('POST', '/access/login', { body: { username: 'bob', password } });

  test('a success resets the count of failures', async () => {
    for (let i = 0; i < 2; i++) assertError(await attempt('bad'), 400, 'Invalid Password');
    resultOf(await attempt('bob-pass'));
    for (let i = 0; i < 2; i++) assertError(await attempt('bad'), 400, 'Invalid Password');
    resultOf(await attempt('bob-pass')); // 4 failures in all, but never 3 in a row
  });

  test('after N failures even the right password gets 401 "Unauthorized, Maximum Login Attempts Reached"', async () => {
    for (let i = 0; i < 3; i++) assertError(await attempt('bad'), 400, 'Invalid Password');
    assertError(await attempt('bob-pass'), 401, 'Unauthorized, Maximum Login Attempts Reached');
    assertError(await attempt('bad'), 401, 'Unauthorized, Maximum Login Attempts Reached');
  });

  // Moonraker raises a tornado HTTPError there, which its JSON-RPC dispatcher reports as an unexpected error.
  test('differs from Moonraker: over the websocket the refusal is -32602 with the same message (Moonraker: 500 "HTTP 401: Unauthorized (Unauthorized, Maximum Login Attempts Reached)")', async () => {
    const c = await RpcClient.open(m.port); // this address is locked out by the test above
    try {
      assert.deepEqual((await c.call('access.login', { username: 'bob', password: 'bob-pass' })).error, { code: -32602, message: 'Unauthorized, Maximum Login Attempts Reached' });
    } finally { await c.close(); }
  });

  test('every failure counts, not only wrong passwords (an unknown user, a bad source)', async () => {
    const n = await startGatehouse({ authorization: { max_login_attempts: 2 }, limits: { login_attempts_per_user: 0, login_attempts_per_ip: 0 } });
    try {
      await createUser(n, 'cy', 'cy-pass');
      assertError(await n.req('POST', '/access/login', { body: { username: 'ghost', password: 'x' } }), 400, 'Unregistered User: ghost');
      assertError(await n.req('POST', '/access/login', { body: { username: 'cy', password: 'cy-pass', source: 'nis' } }), 400, "Invalid 'source': nis");
      assertError(await n.req('POST', '/access/login', { body: { username: 'cy', password: 'cy-pass' } }), 401, 'Unauthorized, Maximum Login Attempts Reached');
    } finally {
      await n.stop();
    }
  });

  test('already-issued tokens keep working while the address is locked out of login', async () => {
    const fresh = await startGatehouse({ authorization: { max_login_attempts: 1 }, limits: { login_attempts_per_user: 0, login_attempts_per_ip: 0 } });
    try {
      const dee = await createUser(fresh, 'dee', 'dee-pass');
      assertError(await fresh.req('POST', '/access/login', { body: { username: 'dee', password: 'bad' } }), 400, 'Invalid Password');
      assertError(await fresh.req('POST', '/access/login', { body: { username: 'dee', password: 'dee-pass' } }), 401, 'Unauthorized, Maximum Login Attempts Reached');
      assert.equal(resultOf(await whoami(fresh, bearer(dee.token))).username, 'dee');
    } finally {
      await fresh.stop();
    }
  });
});

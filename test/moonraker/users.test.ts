// GET/POST/DELETE /access/user, GET /access/users/list and POST /access/user/password.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, type Running } from '../helpers/server.js';
import { apiKey, assertError, bearer, createUser, login, resultOf, whoami } from './helpers.js';

let s: Running;
before(async () => {
  s = await startGatehouse({ limits: { login_attempts_per_user: 0, login_attempts_per_ip: 0 } });
});
after(() => s.stop());

const list = async () => resultOf(await s.req('GET', '/access/users/list', { headers: apiKey(s) })).users as any[];

describe('GET /access/user', () => {
  test('differs from Moonraker: every answer also carries the identity\'s scope (issue 20), after Moonraker\'s own fields; a JWT user: {username, source, created_on, scope} with created_on in unix seconds (float), as in the users list', async () => {
    const before = Date.now() / 1000;
    const u = await createUser(s, 'getter', 'pw-getter');
    const r = resultOf(await whoami(s, bearer(u.token)));
    assert.deepEqual(Object.keys(r), ['username', 'source', 'created_on', 'scope']);
    assert.equal(r.scope, 'admin');
    assert.equal(r.username, 'getter');
    assert.equal(r.source, 'moonraker');
    assert.equal(typeof r.created_on, 'number');
    assert.ok(r.created_on >= before - 1 && r.created_on <= Date.now() / 1000 + 1, String(r.created_on));
    assert.equal((await list()).find((x) => x.username === 'getter').created_on, r.created_on);
  });

  test('the API key: {username: "_API_KEY_USER_", source: "moonraker", created_on, scope: "admin"}', async () => {
    const r = resultOf(await whoami(s, apiKey(s)));
    assert.deepEqual(Object.keys(r), ['username', 'source', 'created_on', 'scope']);
    assert.equal(r.scope, 'admin');
    assert.equal(r.username, '_API_KEY_USER_');
    assert.equal(r.source, 'moonraker');
    assert.equal(typeof r.created_on, 'number');
    assert.ok(r.created_on > 1_600_000_000 && r.created_on <= Date.now() / 1000 + 1);
  });

  test('no credentials: 401 "Unauthorized"', async () => {
    assertError(await whoami(s), 401, 'Unauthorized');
  });
});

describe('POST /access/user', () => {
  test('with the API key: creates the user and logs it in ({username, token, source, refresh_token, action: "user_created"})', async () => {
    const r = resultOf(await s.req('POST', '/access/user', { body: { username: 'made', password: 'pw-made' }, headers: apiKey(s) }));
    assert.deepEqual(Object.keys(r), ['username', 'token', 'source', 'refresh_token', 'action']);
    assert.equal(r.username, 'made');
    assert.equal(r.source, 'moonraker');
    assert.equal(r.action, 'user_created');
    assert.equal(resultOf(await whoami(s, bearer(r.token))).username, 'made');
    assert.equal((await login(s, 'made', 'pw-made')).username, 'made');
  });

  test('by another logged-in user (JWT)', async () => {
    const boss = await createUser(s, 'boss', 'pw-boss');
    const r = resultOf(await s.req('POST', '/access/user', { body: { username: 'minion', password: 'pw-minion' }, headers: bearer(boss.token) }));
    assert.equal(r.username, 'minion');
  });

  test('arguments from the query string work too', async () => {
    const r = resultOf(await s.req('POST', '/access/user?username=fromquery&password=pw-q', { headers: apiKey(s) }));
    assert.equal(r.username, 'fromquery');
  });

  test('no credentials: 401 "Unauthorized", and nobody is created', async () => {
    assertError(await s.req('POST', '/access/user', { body: { username: 'sneaky', password: 'pw' } }), 401, 'Unauthorized');
    assert.ok(!(await list()).some((u) => u.username === 'sneaky'));
  });

  test('a duplicate: 400 "User X already exists"', async () => {
    await createUser(s, 'dup', 'pw-dup');
    assertError(await s.req('POST', '/access/user', { body: { username: 'dup', password: 'other' }, headers: apiKey(s) }), 400, 'User dup already exists');
    assert.equal((await login(s, 'dup', 'pw-dup')).username, 'dup'); // the first account is untouched
  });

  for (const name of ['_API_KEY_USER_', '_TRUSTED_USER_']) {
    test(`reserved name ${name}: 400 "Invalid Request for user ${name}"`, async () => {
      assertError(await s.req('POST', '/access/user', { body: { username: name, password: 'pw' }, headers: apiKey(s) }), 400, `Invalid Request for user ${name}`);
    });
  }

  test('source "ldap": 400 "Invalid Request to create new LDAP User" (even with no [ldap] configured, as in the source)', async () => {
    assertError(await s.req('POST', '/access/user', { body: { username: 'lu', password: 'pw', source: 'ldap' }, headers: apiKey(s) }), 400, 'Invalid Request to create new LDAP User');
  });

  test('an unknown source: 400 "Invalid \'source\': x"', async () => {
    assertError(await s.req('POST', '/access/user', { body: { username: 'su', password: 'pw', source: 'x' }, headers: apiKey(s) }), 400, "Invalid 'source': x");
  });

  test('missing arguments: 400 "No data for argument: username" / "password"', async () => {
    assertError(await s.req('POST', '/access/user', { body: { password: 'pw' }, headers: apiKey(s) }), 400, 'No data for argument: username');
    assertError(await s.req('POST', '/access/user', { body: { username: 'np' }, headers: apiKey(s) }), 400, 'No data for argument: password');
  });

  test('differs from Moonraker: an empty password is refused at creation, 400 naming the field (Moonraker accepts it)', async () => {
    assertError(await s.req('POST', '/access/user', { body: { username: 'empty', password: '' }, headers: apiKey(s) }), 400, 'Invalid argument [password]: must not be empty');
  });

  test('differs from Moonraker: a username with control or invisible characters, an unpaired surrogate, not in NFC, with surrounding whitespace or over 64 characters is refused at creation (Moonraker accepts any)', async () => {
    const refused: [string, string][] = [
      ['a\u0007b', 'contains control or invisible characters'],
      ['ad\u200bmin', 'contains control or invisible characters'],
      ['a\ud800b', 'contains an unpaired surrogate'],
      ['jose\u0301', 'must be in Unicode normal form C'],
      [' ann', 'must not start or end with whitespace'],
      ['u'.repeat(65), 'must be at most 64 characters'],
    ];
    for (const [username, why] of refused) {
      assertError(await s.req('POST', '/access/user', { body: { username, password: 'pw' }, headers: apiKey(s) }), 400, `Invalid argument [username]: ${why}`);
    }
  });
});

describe('DELETE /access/user', () => {
  test('deletes: {username, action: "user_deleted"}; the user\'s tokens die, its login is gone, it leaves the list', async () => {
    const doomed = await createUser(s, 'doomed', 'pw-doomed');
    const second = await login(s, 'doomed', 'pw-doomed');
    const r = resultOf(await s.req('DELETE', '/access/user', { body: { username: 'doomed' }, headers: apiKey(s) }));
    assert.deepEqual(r, { username: 'doomed', action: 'user_deleted' });
    for (const t of [doomed.token, second.token]) assertError(await whoami(s, bearer(t)), 401, 'JWT Decode Error');
    assertError(await s.req('POST', '/access/refresh_jwt', { body: { refresh_token: doomed.refresh } }), 401, 'Invalid Refresh Token');
    assertError(await s.req('POST', '/access/login', { body: { username: 'doomed', password: 'pw-doomed' } }), 400, 'Unregistered User: doomed');
    assert.ok(!(await list()).some((u) => u.username === 'doomed'));
  });

  test('by another user (JWT), with the username in the query string', async () => {
    const a = await createUser(s, 'deleter', 'pw-deleter');
    await createUser(s, 'victim', 'pw-victim');
    assert.deepEqual(resultOf(await s.req('DELETE', '/access/user?username=victim', { headers: bearer(a.token) })), { username: 'victim', action: 'user_deleted' });
  });

  test('yourself: 400 "Cannot delete logged in user X"', async () => {
    const me = await createUser(s, 'selfish', 'pw-selfish');
    assertError(await s.req('DELETE', '/access/user', { body: { username: 'selfish' }, headers: bearer(me.token) }), 400, 'Cannot delete logged in user selfish');
    assert.equal(resultOf(await whoami(s, bearer(me.token))).username, 'selfish');
  });

  test('an unknown user: 400 "No registered user: X"', async () => {
    assertError(await s.req('DELETE', '/access/user', { body: { username: 'ghost' }, headers: apiKey(s) }), 400, 'No registered user: ghost');
  });

  test('a reserved user: 400 "Invalid Request for reserved user X"', async () => {
    const u = await createUser(s, 'resdel', 'pw-resdel');
    assertError(await s.req('DELETE', '/access/user', { body: { username: '_API_KEY_USER_' }, headers: bearer(u.token) }), 400, 'Invalid Request for reserved user _API_KEY_USER_');
  });

  test('the API key deleting _API_KEY_USER_: "Cannot delete logged in user" comes first (source order)', async () => {
    assertError(await s.req('DELETE', '/access/user', { body: { username: '_API_KEY_USER_' }, headers: apiKey(s) }), 400, 'Cannot delete logged in user _API_KEY_USER_');
  });

  test('a missing username: 400 "No data for argument: username"', async () => {
    assertError(await s.req('DELETE', '/access/user', { headers: apiKey(s) }), 400, 'No data for argument: username');
  });

  test('no credentials: 401 "Unauthorized", and nothing is deleted', async () => {
    await createUser(s, 'keeper', 'pw-keeper');
    assertError(await s.req('DELETE', '/access/user', { body: { username: 'keeper' } }), 401, 'Unauthorized');
    assert.ok((await list()).some((u) => u.username === 'keeper'));
  });
});

describe('GET /access/users/list', () => {
  test('{users: [{username, source, created_on}]}, every local user in creation order (the Grafana face\'s bootstrap admin first), never _API_KEY_USER_', async () => {
    const fresh = await startGatehouse();
    try {
      const get = async () => resultOf(await fresh.req('GET', '/access/users/list', { headers: apiKey(fresh) }));
      // One account set for both faces: the admin that the Grafana face creates on first start is listed too.
      assert.deepEqual((await get()).users.map((u: any) => u.username), ['admin']);
      await createUser(fresh, 'one', 'pw-one');
      await createUser(fresh, 'two', 'pw-two');
      const r = await get();
      assert.deepEqual(Object.keys(r), ['users']);
      assert.deepEqual(r.users.map((u: any) => u.username), ['admin', 'one', 'two']);
      for (const u of r.users) {
        assert.deepEqual(Object.keys(u), ['username', 'source', 'created_on', 'scope']); // scope: issue 20, not Moonraker's
        assert.equal(u.scope, 'admin');
        assert.equal(u.source, 'moonraker');
        assert.equal(typeof u.created_on, 'number');
      }
    } finally {
      await fresh.stop();
    }
  });

  test('no credentials: 401 "Unauthorized"', async () => {
    assertError(await s.req('GET', '/access/users/list'), 401, 'Unauthorized');
  });
});

describe('POST /access/user/password', () => {
  const change = (token: string, body: Record<string, unknown>) => s.req('POST', '/access/user/password', { body, headers: bearer(token) });

  test('a wrong current password: 400 "Invalid Password", nothing changes', async () => {
    const u = await createUser(s, 'pw1', 'old-pass');
    assertError(await change(u.token, { password: 'not-it', new_password: 'new-pass' }), 400, 'Invalid Password');
    await login(s, 'pw1', 'old-pass');
  });

  test('success: {username, action: "user_password_reset"}; the new password logs in, the old one is "Invalid Password"', async () => {
    const u = await createUser(s, 'pw2', 'old-pass');
    assert.deepEqual(resultOf(await change(u.token, { password: 'old-pass', new_password: 'new-pass' })), { username: 'pw2', action: 'user_password_reset' });
    await login(s, 'pw2', 'new-pass');
    assertError(await s.req('POST', '/access/login', { body: { username: 'pw2', password: 'old-pass' } }), 400, 'Invalid Password');
  });

  test("differs from Moonraker: a password change revokes the user's other logins; the caller's own token keeps working (Moonraker revokes nothing)", async () => {
    const mine = await createUser(s, 'pw3', 'old-pass');
    const other = await login(s, 'pw3', 'old-pass');
    const bystander = await createUser(s, 'pw3-friend', 'friend-pass');
    resultOf(await change(mine.token, { password: 'old-pass', new_password: 'new-pass' }));
    assertError(await whoami(s, bearer(other.token)), 401, 'JWT Decode Error');
    assertError(await s.req('POST', '/access/refresh_jwt', { body: { refresh_token: other.refresh } }), 401, 'Invalid Refresh Token');
    assert.equal(resultOf(await whoami(s, bearer(mine.token))).username, 'pw3');
    assert.equal(resultOf(await s.req('POST', '/access/refresh_jwt', { body: { refresh_token: mine.refresh } })).username, 'pw3');
    assert.equal(resultOf(await whoami(s, bearer(bystander.token))).username, 'pw3-friend');
  });

  test('the API key user: 400 "Invalid Reset Request for user _API_KEY_USER_"', async () => {
    assertError(await s.req('POST', '/access/user/password', { body: { password: 'a', new_password: 'b' }, headers: apiKey(s) }), 400, 'Invalid Reset Request for user _API_KEY_USER_');
  });

  test('an LDAP user: 400 "Can´t Reset password for ldap user X" (Moonraker\'s spelling)', async () => {
    const rec = await s.gh.store.users.create({
      uid: 'ldappw000001', username: 'lpw', email: null, name: '', passwordHash: null, source: 'ldap',
      isAdmin: false, isServiceAccount: false, isDisabled: false, orgId: 1,
    });
    const { token } = await s.gh.core.login.issueTokens(rec); // as if it had logged in through LDAP
    assertError(await change(token, { password: 'a', new_password: 'b' }), 400, 'Can´t Reset password for ldap user lpw');
  });

  test('missing arguments: 400 "No data for argument: password" / "new_password"', async () => {
    const u = await createUser(s, 'pw4', 'old-pass');
    assertError(await change(u.token, { new_password: 'x' }), 400, 'No data for argument: password');
    assertError(await change(u.token, { password: 'old-pass' }), 400, 'No data for argument: new_password');
  });

  test('differs from Moonraker: an empty new password is refused, 400 naming the field (Moonraker accepts it)', async () => {
    const u = await createUser(s, 'pw5', 'old-pass');
    assertError(await change(u.token, { password: 'old-pass', new_password: '' }), 400, 'Invalid argument [new_password]: must not be empty');
    await login(s, 'pw5', 'old-pass');
  });

  test('no credentials: 401 "Unauthorized"', async () => {
    assertError(await s.req('POST', '/access/user/password', { body: { password: 'a', new_password: 'b' } }), 401, 'Unauthorized');
  });
});

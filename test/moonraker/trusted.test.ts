// trusted_clients (IP, CIDR, domain) and force_logins. The test client is
// 127.0.0.1; 127.0.0.2 plays a second machine.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as dns } from 'node:dns';
import { startGatehouse, type Running } from '../helpers/server.js';
import { apiKey, assertError, bearer, createUser, login, reqFrom, resultOf, whoami } from './helpers.js';

const info = async (s: Running) => resultOf(await s.req('GET', '/access/info'));

describe('trusted by IP address', () => {
  let s: Running;
  before(async () => { s = await startGatehouse({ authorization: { trusted_clients: ['127.0.0.1'] } }); });
  after(() => s.stop());

  test('GET /access/user: {username: "_TRUSTED_USER_", source: "moonraker", created_on, scope: "admin"}, created_on stable across requests', async () => {
    const a = resultOf(await whoami(s));
    assert.deepEqual(Object.keys(a), ['username', 'source', 'created_on', 'scope']); // scope: issue 20, not Moonraker's
    assert.equal(a.scope, 'admin');
    assert.equal(a.username, '_TRUSTED_USER_');
    assert.equal(a.source, 'moonraker');
    assert.equal(typeof a.created_on, 'number');
    assert.equal(resultOf(await whoami(s)).created_on, a.created_on);
  });

  test('another address is not trusted: 401 "Unauthorized"', async () => {
    assertError(await reqFrom(s, '127.0.0.2', 'GET', '/access/user'), 401, 'Unauthorized');
  });

  test('/access/info says trusted: true here, false for the other address', async () => {
    assert.equal((await info(s)).trusted, true);
    assert.equal((await reqFrom(s, '127.0.0.2', 'GET', '/access/info')).json.result.trusted, false);
  });

  test('a trusted client may create a user (which can then log in) and delete it', async () => {
    const r = resultOf(await s.req('POST', '/access/user', { body: { username: 'tc', password: 'pw-tc' } }));
    assert.equal(r.action, 'user_created');
    await login(s, 'tc', 'pw-tc');
    assert.deepEqual(resultOf(await s.req('DELETE', '/access/user', { body: { username: 'tc' } })), { username: 'tc', action: 'user_deleted' });
  });

  test('logout as a trusted client: 400 "Invalid log out request for user _TRUSTED_USER_"', async () => {
    assertError(await s.req('POST', '/access/logout'), 400, 'Invalid log out request for user _TRUSTED_USER_');
  });

  test('password change as a trusted client: 400 "Invalid Reset Request for user _TRUSTED_USER_"', async () => {
    assertError(await s.req('POST', '/access/user/password', { body: { password: 'a', new_password: 'b' } }), 400, 'Invalid Reset Request for user _TRUSTED_USER_');
  });

  test('deleting _TRUSTED_USER_ as the trusted client: "Cannot delete logged in user _TRUSTED_USER_"', async () => {
    assertError(await s.req('DELETE', '/access/user', { body: { username: '_TRUSTED_USER_' } }), 400, 'Cannot delete logged in user _TRUSTED_USER_');
  });

  test('a oneshot token asked for by a trusted client acts as _TRUSTED_USER_', async () => {
    const t = resultOf(await s.req('GET', '/access/oneshot_token'));
    assert.equal(resultOf(await whoami(s, {}, `?token=${t}`)).username, '_TRUSTED_USER_');
  });

  test('a bad JWT from a trusted address is still 401 "JWT Decode Error" (the JWT is checked first)', async () => {
    assertError(await whoami(s, bearer('garbage')), 401, 'JWT Decode Error');
  });

  test('a valid JWT from a trusted address acts as that user, not as _TRUSTED_USER_', async () => {
    const u = await createUser(s, 'jwtfirst', 'pw-jwtfirst');
    assert.equal(resultOf(await whoami(s, bearer(u.token))).username, 'jwtfirst');
  });

  test('with users but force_logins off, the trusted client keeps working', async () => {
    assert.equal(resultOf(await whoami(s)).username, '_TRUSTED_USER_');
    assert.equal((await info(s)).login_required, false);
  });
});

describe('trusted by CIDR range', () => {
  let s: Running;
  before(async () => { s = await startGatehouse({ authorization: { trusted_clients: ['127.0.0.2/31'] } }); });
  after(() => s.stop());

  test('an address inside the range (127.0.0.2) is trusted', async () => {
    const r = await reqFrom(s, '127.0.0.2', 'GET', '/access/user');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.result.username, '_TRUSTED_USER_');
  });

  test('an address outside it (127.0.0.1) is not: 401 "Unauthorized"', async () => {
    assertError(await whoami(s), 401, 'Unauthorized');
  });
});

describe('trusted by domain name (reverse lookup through getnameinfo, so /etc/hosts counts)', () => {
  let s: Running;
  let reverse: string | undefined;
  before(async () => {
    reverse = await dns.lookupService('127.0.0.1', 0).then((r) => r.hostname, () => undefined);
    s = await startGatehouse({ authorization: { trusted_clients: ['localhost'] } });
  });
  after(() => s.stop());

  test('127.0.0.1 resolves to "localhost" and is trusted', async (t) => {
    if (reverse !== 'localhost') return t.skip(`getnameinfo(127.0.0.1) is ${reverse} on this machine`);
    assert.equal(resultOf(await whoami(s)).username, '_TRUSTED_USER_');
    assert.equal((await info(s)).trusted, true);
  });

  test('an address with another (or no) name is not: 401 "Unauthorized"', async () => {
    assertError(await reqFrom(s, '127.0.0.2', 'GET', '/access/user'), 401, 'Unauthorized');
  });
});

describe('force_logins', () => {
  let s: Running;
  before(async () => { s = await startGatehouse({ authorization: { force_logins: true, trusted_clients: ['127.0.0.1'] } }); });
  after(() => s.stop());

  test('with no user yet, the trusted client works and login_required is false', async () => {
    assert.equal(resultOf(await whoami(s)).username, '_TRUSTED_USER_');
    assert.deepEqual(await info(s), { default_source: 'moonraker', available_sources: ['moonraker'], login_required: false, trusted: true });
  });

  test('once a user exists, the trusted client gets 401 "Unauthorized, Force Logins Enabled" and login_required is true', async () => {
    resultOf(await s.req('POST', '/access/user', { body: { username: 'first', password: 'pw-first' } }));
    assertError(await whoami(s), 401, 'Unauthorized, Force Logins Enabled');
    assertError(await s.req('GET', '/access/users/list'), 401, 'Unauthorized, Force Logins Enabled');
    assert.deepEqual(await info(s), { default_source: 'moonraker', available_sources: ['moonraker'], login_required: true, trusted: true });
  });

  test('an untrusted address without credentials also gets "Unauthorized, Force Logins Enabled" (the check comes before trust)', async () => {
    assertError(await reqFrom(s, '127.0.0.2', 'GET', '/access/user'), 401, 'Unauthorized, Force Logins Enabled');
  });

  test('routes that need no auth still answer (login, info)', async () => {
    const u = await login(s, 'first', 'pw-first');
    assert.equal(resultOf(await whoami(s, bearer(u.token))).username, 'first');
  });

  test('the API key still works', async () => {
    assert.equal(resultOf(await whoami(s, apiKey(s))).username, '_API_KEY_USER_');
  });

  test('when the last user is deleted, trusted access comes back and login_required is false again', async () => {
    resultOf(await s.req('DELETE', '/access/user', { body: { username: 'first' }, headers: apiKey(s) }));
    assert.equal(resultOf(await whoami(s)).username, '_TRUSTED_USER_');
    assert.equal((await info(s)).login_required, false);
  });
});

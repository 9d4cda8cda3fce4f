// Access and refresh tokens on the wire: where a JWT may be presented, what a
// bad one gets, POST /access/refresh_jwt and POST /access/logout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, type Running } from '../helpers/server.js';
import { apiKey, assertError, bearer, claimsOf, createUser, login, mint, resultOf, serverKey, whoami } from './helpers.js';

let s: Running;
before(async () => {
  s = await startGatehouse({ limits: { login_attempts_per_user: 0, login_attempts_per_ip: 0 } });
});
after(() => s.stop());

const refresh = (refresh_token: unknown, headers: Record<string, string> = {}) =>
  s.req('POST', '/access/refresh_jwt', { body: { refresh_token }, headers });

/** A token the server signed for `u`, with `exp` moved into the past (same login family). */
async function expiredCopy(token: string): Promise<string> {
  const c = claimsOf(token);
  return mint(serverKey(s.dataDir), { ...c, iat: c.iat - 7200, exp: c.iat - 3600 });
}

describe('presenting an access token', () => {
  let u: Awaited<ReturnType<typeof createUser>>;
  before(async () => { u = await createUser(s, 'tina', 'pw-tina'); });

  test('Authorization: Bearer', async () => {
    assert.equal(resultOf(await whoami(s, bearer(u.token))).username, 'tina');
  });

  test('X-Access-Token header', async () => {
    assert.equal(resultOf(await whoami(s, { 'x-access-token': u.token })).username, 'tina');
  });

  test('?access_token= query argument', async () => {
    assert.equal(resultOf(await whoami(s, {}, `?access_token=${u.token}`)).username, 'tina');
  });

  test('Bearer garbage: 401 "JWT Decode Error"', async () => {
    assertError(await whoami(s, bearer('garbage')), 401, 'JWT Decode Error');
  });

  test('an expired token: 401 "JWT Decode Error"', async () => {
    assertError(await whoami(s, bearer(await expiredCopy(u.token))), 401, 'JWT Decode Error');
  });

  test('a tampered payload (username swapped, signature kept): 401 "JWT Decode Error"', async () => {
    const [h, p, sig] = u.token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), username: 'admin' })).toString('base64url');
    assertError(await whoami(s, bearer(`${h}.${forged}.${sig}`)), 401, 'JWT Decode Error');
  });

  test('a tampered signature: 401 "JWT Decode Error"', async () => {
    const [h, p, sig] = u.token.split('.');
    const flipped = sig!.slice(0, 10) + (sig![10] === 'A' ? 'B' : 'A') + sig!.slice(11);
    assertError(await whoami(s, bearer(`${h}.${p}.${flipped}`)), 401, 'JWT Decode Error');
  });

  test('garbage in X-Access-Token or ?access_token=: 401 "JWT Decode Error"', async () => {
    assertError(await whoami(s, { 'x-access-token': 'nope' }), 401, 'JWT Decode Error');
    assertError(await whoami(s, {}, '?access_token=nope'), 401, 'JWT Decode Error');
  });

  test('a refresh token used as an access token: 401 "JWT Decode Error"', async () => {
    assertError(await whoami(s, bearer(u.refresh)), 401, 'JWT Decode Error');
  });

  test('a bad JWT is refused before the API key is looked at (JWT comes first)', async () => {
    assertError(await whoami(s, { ...bearer('garbage'), ...apiKey(s) }), 401, 'JWT Decode Error');
  });

  test('Authorization with another scheme (Basic) is not a JWT: X-Access-Token is then not consulted, as in Moonraker', async () => {
    assertError(await whoami(s, { authorization: 'Basic dGluYTpwdw==', 'x-access-token': u.token }), 401, 'Unauthorized');
  });

  test('the scheme is matched as Moonraker does, case-sensitively: "bearer <valid token>" is not a JWT (401 "Unauthorized")', async () => {
    assertError(await whoami(s, { authorization: `bearer ${u.token}` }), 401, 'Unauthorized');
  });

  test('Authorization wins over X-Access-Token and ?access_token=', async () => {
    const other = await createUser(s, 'tom', 'pw-tom');
    const r = resultOf(await whoami(s, { ...bearer(other.token), 'x-access-token': u.token }, `?access_token=${u.token}`));
    assert.equal(r.username, 'tom');
  });

  test('a bad JWT is refused even on a route that needs no auth (/access/info)', async () => {
    assertError(await s.req('GET', '/access/info', { headers: bearer('garbage') }), 401, 'JWT Decode Error');
  });

  test('an expired JWT is accepted on a route that needs no auth, as Moonraker skips the expiry check there', async () => {
    const r = await s.req('GET', '/access/info', { headers: bearer(await expiredCopy(u.token)) });
    assert.equal(r.status, 200, r.text);
  });
});

describe('POST /access/refresh_jwt', () => {
  test('result is {username, token, source, action: "user_jwt_refresh"} (no refresh_token, rotation off), and the new token works', async () => {
    const u = await createUser(s, 'rita', 'pw-rita');
    const r = resultOf(await refresh(u.refresh));
    assert.deepEqual(Object.keys(r), ['username', 'token', 'source', 'action']);
    assert.equal(r.username, 'rita');
    assert.equal(r.source, 'moonraker');
    assert.equal(r.action, 'user_jwt_refresh');
    assert.equal(claimsOf(r.token).token_type, 'access');
    assert.equal(resultOf(await whoami(s, bearer(r.token))).username, 'rita');
    assert.equal(resultOf(await refresh(u.refresh)).username, 'rita'); // the refresh token stays good
  });

  test('needs no other credential', async () => {
    const u = await createUser(s, 'rick', 'pw-rick');
    assert.equal((await refresh(u.refresh)).status, 200); // no Authorization, no API key
  });

  test('garbage: 401 "Invalid Refresh Token"', async () => {
    assertError(await refresh('garbage'), 401, 'Invalid Refresh Token');
    assertError(await refresh('a.b.c'), 401, 'Invalid Refresh Token');
  });

  test('an access token as the refresh token: 401 "Invalid Refresh Token"', async () => {
    const u = await createUser(s, 'rose', 'pw-rose');
    assertError(await refresh(u.token), 401, 'Invalid Refresh Token');
  });

  test('an expired refresh token: 401 "Invalid Refresh Token"', async () => {
    const u = await createUser(s, 'rex', 'pw-rex');
    assertError(await refresh(await expiredCopy(u.refresh)), 401, 'Invalid Refresh Token');
  });

  test('after logout: 401 "Invalid Refresh Token" (source: logout drops the key, so decoding fails first; the spec\'s "User not logged in" is unreachable)', async () => {
    const u = await createUser(s, 'ruth', 'pw-ruth');
    resultOf(await s.req('POST', '/access/logout', { headers: bearer(u.token) }));
    assertError(await refresh(u.refresh), 401, 'Invalid Refresh Token');
  });

  test('a missing refresh_token: 400 "No data for argument: refresh_token"', async () => {
    assertError(await s.req('POST', '/access/refresh_jwt', { body: {} }), 400, 'No data for argument: refresh_token');
  });

  test('from the query string too', async () => {
    const u = await createUser(s, 'rory', 'pw-rory');
    assert.equal(resultOf(await s.req('POST', `/access/refresh_jwt?refresh_token=${u.refresh}`)).username, 'rory');
  });
});

describe('POST /access/logout', () => {
  test('result is {username, action: "user_logged_out"}; EVERY token of the user dies (both logins, access and refresh)', async () => {
    const first = await createUser(s, 'lou', 'pw-lou');
    const second = await login(s, 'lou', 'pw-lou');
    const bystander = await createUser(s, 'lia', 'pw-lia');
    assert.deepEqual(resultOf(await s.req('POST', '/access/logout', { headers: bearer(first.token) })), { username: 'lou', action: 'user_logged_out' });
    for (const t of [first.token, second.token]) assertError(await whoami(s, bearer(t)), 401, 'JWT Decode Error');
    for (const t of [first.refresh, second.refresh]) assertError(await refresh(t), 401, 'Invalid Refresh Token');
    assert.equal(resultOf(await whoami(s, bearer(bystander.token))).username, 'lia');
  });

  test('the user can log in again afterwards', async () => {
    await createUser(s, 'leo', 'pw-leo');
    const a = await login(s, 'leo', 'pw-leo');
    resultOf(await s.req('POST', '/access/logout', { headers: bearer(a.token) }));
    const b = await login(s, 'leo', 'pw-leo');
    assert.equal(resultOf(await whoami(s, bearer(b.token))).username, 'leo');
  });

  test('with the API key: 400 "Invalid log out request for user _API_KEY_USER_"', async () => {
    assertError(await s.req('POST', '/access/logout', { headers: apiKey(s) }), 400, 'Invalid log out request for user _API_KEY_USER_');
  });

  test('no credentials: 401 "Unauthorized"', async () => {
    assertError(await s.req('POST', '/access/logout'), 401, 'Unauthorized');
  });

  test('a token already logged out: 401 "JWT Decode Error"', async () => {
    const u = await createUser(s, 'lana', 'pw-lana');
    resultOf(await s.req('POST', '/access/logout', { headers: bearer(u.token) }));
    assertError(await s.req('POST', '/access/logout', { headers: bearer(u.token) }), 401, 'JWT Decode Error');
  });
});

test('tokens presented in the query string (?access_token=) never reach the logs', async () => {
  const u = await createUser(s, 'quiet', 'pw-quiet');
  resultOf(await whoami(s, {}, `?access_token=${u.token}`));
  assertError(await whoami(s, {}, `?access_token=${u.token}x`), 401, 'JWT Decode Error');
  const logs = s.logs.join('');
  assert.ok(logs.includes('access_token='), 'the requests were logged');
  assert.ok(!logs.includes(u.token.split('.')[2]!), 'a token signature is in the logs');
});

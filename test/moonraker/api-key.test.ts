// GET/POST /access/api_key and the X-Api-Key header.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, type Running } from '../helpers/server.js';
import { assertError, bearer, createUser, resultOf, whoami } from './helpers.js';

let s: Running;
before(async () => { s = await startGatehouse(); });
after(() => s.stop());

const key = (k: string) => ({ 'x-api-key': k });

describe('enable_api_key on (default)', () => {
  test('GET returns the key: a bare string of 32 lower-case hex (uuid4().hex)', async () => {
    const k = resultOf(await s.req('GET', '/access/api_key', { headers: key(s.apiKey()) }));
    assert.equal(typeof k, 'string');
    assert.match(k, /^[0-9a-f]{32}$/);
    assert.equal(k, s.apiKey());
  });

  test('X-Api-Key authenticates as _API_KEY_USER_', async () => {
    assert.equal(resultOf(await whoami(s, key(s.apiKey()))).username, '_API_KEY_USER_');
  });

  test('a logged-in user may read the key', async () => {
    const u = await createUser(s, 'keen', 'pw-keen');
    assert.equal(resultOf(await s.req('GET', '/access/api_key', { headers: bearer(u.token) })), s.apiKey());
  });

  test('a wrong X-Api-Key: 401 "Unauthorized" (it falls through, as in Moonraker)', async () => {
    assertError(await whoami(s, key('0'.repeat(32))), 401, 'Unauthorized');
    assertError(await whoami(s, key(s.apiKey().toUpperCase())), 401, 'Unauthorized');
    assertError(await whoami(s, key(s.apiKey() + '0')), 401, 'Unauthorized');
  });

  test('an empty X-Api-Key: 401 "Unauthorized"', async () => {
    assertError(await whoami(s, key('')), 401, 'Unauthorized');
  });

  test('no credentials: GET and POST are 401 "Unauthorized"', async () => {
    assertError(await s.req('GET', '/access/api_key'), 401, 'Unauthorized');
    assertError(await s.req('POST', '/access/api_key'), 401, 'Unauthorized');
  });

  test('POST rotates: returns a new 32-hex key; the old key is 401, the new one works', async () => {
    const old = s.apiKey();
    const fresh = resultOf(await s.req('POST', '/access/api_key', { headers: key(old) }));
    assert.match(fresh, /^[0-9a-f]{32}$/);
    assert.notEqual(fresh, old);
    assertError(await whoami(s, key(old)), 401, 'Unauthorized');
    assert.equal(resultOf(await whoami(s, key(fresh))).username, '_API_KEY_USER_');
    assert.equal(resultOf(await s.req('GET', '/access/api_key', { headers: key(fresh) })), fresh);
  });

  test('a logged-in user may rotate the key', async () => {
    const u = await createUser(s, 'rotor', 'pw-rotor');
    const old = s.apiKey();
    const fresh = resultOf(await s.req('POST', '/access/api_key', { headers: bearer(u.token) }));
    assert.notEqual(fresh, old);
    assertError(await whoami(s, key(old)), 401, 'Unauthorized');
  });

  test('rotating keeps the API user\'s created_on', async () => {
    const before = resultOf(await whoami(s, key(s.apiKey()))).created_on;
    const fresh = resultOf(await s.req('POST', '/access/api_key', { headers: key(s.apiKey()) }));
    assert.equal(resultOf(await whoami(s, key(fresh))).created_on, before);
  });
});

describe('enable_api_key off', () => {
  let off: Running;
  before(async () => { off = await startGatehouse({ authorization: { enable_api_key: false } }); });
  after(() => off.stop());

  test('the right key is refused: 401 "Unauthorized" (source: HTTP ignores the header; "API Key authentication is disabled" is the websocket identify message)', async () => {
    assertError(await off.req('GET', '/access/user', { headers: key(off.apiKey()) }), 401, 'Unauthorized');
    assertError(await off.req('POST', '/access/user', { body: { username: 'x', password: 'y' }, headers: key(off.apiKey()) }), 401, 'Unauthorized');
  });

  test('a logged-in user can still read the key (as Moonraker\'s handler returns it regardless)', async () => {
    await off.gh.core.accounts.create({ username: 'solo', password: 'pw-solo', actor: null });
    const u = resultOf(await off.req('POST', '/access/login', { body: { username: 'solo', password: 'pw-solo' } }));
    assert.equal(resultOf(await off.req('GET', '/access/api_key', { headers: bearer(u.token) })), off.apiKey());
  });
});

// GET /access/oneshot_token and `?token=`: 32 base32 characters, good once,
// for 5 seconds, from the address that asked for it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGatehouse, type Running } from '../helpers/server.js';
import { apiKey, assertError, bearer, createUser, reqFrom, resultOf, whoami } from './helpers.js';

let s: Running;
let amy: Awaited<ReturnType<typeof createUser>>;
const issued: string[] = [];
before(async () => {
  s = await startGatehouse({ gatehouse: { log_level: 'debug' } });
  amy = await createUser(s, 'amy', 'pw-amy');
});
after(() => s.stop());

async function oneshot(headers: Record<string, string>): Promise<string> {
  const t = resultOf(await s.req('GET', '/access/oneshot_token', { headers }));
  issued.push(t);
  return t;
}

test('the result is a bare string of 32 base32 characters, different each time', async () => {
  const a = await oneshot(bearer(amy.token));
  const b = await oneshot(bearer(amy.token));
  for (const t of [a, b]) {
    assert.equal(typeof t, 'string');
    assert.match(t, /^[A-Z2-7]{32}$/);
  }
  assert.notEqual(a, b);
});

test('works once via ?token= (as the user who asked for it); the second use is 401 "Unauthorized"', async () => {
  const t = await oneshot(bearer(amy.token));
  assert.equal(resultOf(await whoami(s, {}, `?token=${t}`)).username, 'amy');
  assertError(await whoami(s, {}, `?token=${t}`), 401, 'Unauthorized');
});

test('a token issued to the API key acts as _API_KEY_USER_', async () => {
  const t = await oneshot(apiKey(s));
  assert.equal(resultOf(await whoami(s, {}, `?token=${t}`)).username, '_API_KEY_USER_');
});

test('the oneshot identity is enough for any protected endpoint (here: the users list)', async () => {
  const t = await oneshot(bearer(amy.token));
  assert.ok(Array.isArray(resultOf(await s.req('GET', `/access/users/list?token=${t}`)).users));
});

test('used from a different address it fails, and is spent (Moonraker pops it before comparing)', async () => {
  const t = await oneshot(bearer(amy.token));
  assertError(await reqFrom(s, '127.0.0.2', 'GET', `/access/user?token=${t}`), 401, 'Unauthorized');
  assertError(await whoami(s, {}, `?token=${t}`), 401, 'Unauthorized');
});

test('issued to another address (127.0.0.2), it works from there and not from here', async () => {
  const r = await reqFrom(s, '127.0.0.2', 'GET', '/access/oneshot_token', bearer(amy.token));
  assert.equal(r.status, 200, r.text);
  const t = r.json.result;
  issued.push(t);
  assertError(await whoami(s, {}, `?token=${t}`), 401, 'Unauthorized');
  const t2 = (await reqFrom(s, '127.0.0.2', 'GET', '/access/oneshot_token', bearer(amy.token))).json.result;
  issued.push(t2);
  const ok = await reqFrom(s, '127.0.0.2', 'GET', `/access/user?token=${t2}`);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.result.username, 'amy');
});

test('expires after 5 s', async () => {
  const t = await oneshot(bearer(amy.token));
  await sleep(5500);
  assertError(await whoami(s, {}, `?token=${t}`), 401, 'Unauthorized');
});

test('a made-up, short or long token is just no credential: 401 "Unauthorized"', async () => {
  for (const t of ['A'.repeat(32), 'abc', 'A'.repeat(5000)]) assertError(await whoami(s, {}, `?token=${t}`), 401, 'Unauthorized');
});

test('an invalid oneshot token does not stop the next credential (API key) from working', async () => {
  assert.equal(resultOf(await s.req('GET', '/access/user?token=NOTATOKEN', { headers: apiKey(s) })).username, '_API_KEY_USER_');
});

test('no credentials: 401 "Unauthorized"', async () => {
  assertError(await s.req('GET', '/access/oneshot_token'), 401, 'Unauthorized');
});

test('oneshot tokens never appear in the logs (debug level, used in query strings)', () => {
  const logs = s.logs.join('');
  assert.ok(issued.length >= 8);
  assert.ok(logs.includes('/access/user?token='), 'the requests were logged');
  for (const t of issued) assert.ok(!logs.includes(t), `token ${t.slice(0, 4)}… in logs`);
});

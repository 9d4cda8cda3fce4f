// What survives a restart on the same data directory, how passwords are kept
// at rest, and accounts imported with Moonraker's own PBKDF2 hashes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startGatehouse, type Running } from '../helpers/server.js';
import { moonrakerHash } from '../../src/core/security/passwords.js';
import { assertError, bearer, createUser, login, resultOf, whoami, type Login } from './helpers.js';

const ARGON2ID = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/;

function storedHash(dataDir: string, username: string): string | null {
  const db = new Database(join(dataDir, 'gatehouse.sqlite'), { readonly: true });
  try {
    const row = db.prepare('SELECT password_hash FROM users WHERE username = ?').get(username) as { password_hash: string | null } | undefined;
    assert.ok(row, `no row for ${username}`);
    return row.password_hash;
  } finally {
    db.close();
  }
}

describe('a restart on the same data directory', () => {
  let s: Running;
  let ann: Login;
  let bob: Login;
  let key: string;
  let usersBefore: unknown;
  before(async () => {
    const first = await startGatehouse();
    ann = await createUser(first, 'ann', 'ann-pass');
    bob = await createUser(first, 'bob', 'bob-pass');
    resultOf(await first.req('POST', '/access/logout', { headers: bearer(bob.token) }));
    key = resultOf(await first.req('POST', '/access/api_key', { headers: { 'x-api-key': first.apiKey() } }));
    usersBefore = resultOf(await first.req('GET', '/access/users/list', { headers: bearer(ann.token) }));
    await first.stop({ keepData: true });
    s = await startGatehouse(undefined, first.dataDir);
  });
  after(() => s.stop());

  test('users survive, with the same created_on', async () => {
    assert.deepEqual(resultOf(await s.req('GET', '/access/users/list', { headers: { 'x-api-key': key } })), usersBefore);
  });

  test('the (rotated) API key survives', async () => {
    assert.equal(resultOf(await s.req('GET', '/access/api_key', { headers: { 'x-api-key': key } })), key);
  });

  test('access tokens issued before the restart still work', async () => {
    assert.equal(resultOf(await whoami(s, bearer(ann.token))).username, 'ann');
  });

  test('refresh tokens issued before the restart still work', async () => {
    const r = resultOf(await s.req('POST', '/access/refresh_jwt', { body: { refresh_token: ann.refresh } }));
    assert.equal(resultOf(await whoami(s, bearer(r.token))).username, 'ann');
  });

  test('tokens revoked before the restart (logout) stay revoked', async () => {
    assertError(await whoami(s, bearer(bob.token)), 401, 'JWT Decode Error');
    assertError(await s.req('POST', '/access/refresh_jwt', { body: { refresh_token: bob.refresh } }), 401, 'Invalid Refresh Token');
  });

  test('passwords still log in', async () => {
    await login(s, 'ann', 'ann-pass');
    await login(s, 'bob', 'bob-pass');
  });

  test('passwords are stored as argon2id (OWASP parameters), never in clear', () => {
    for (const [u, pw] of [['ann', 'ann-pass'], ['bob', 'bob-pass']]) {
      const h = storedHash(s.dataDir, u!)!;
      assert.match(h, ARGON2ID);
      assert.ok(!h.includes(pw!));
    }
  });
});

describe("accounts imported with Moonraker's PBKDF2 hash", () => {
  let s: Running;
  const salt = randomBytes(32).toString('hex');
  // Moonraker: hashlib.pbkdf2_hmac('sha256', password, bytes.fromhex(salt), 100000).hex()
  const hash = pbkdf2Sync('old-moonraker-pw', Buffer.from(salt, 'hex'), 100_000, 32, 'sha256').toString('hex');
  before(async () => {
    s = await startGatehouse({ limits: { login_attempts_per_user: 0, login_attempts_per_ip: 0 } });
    for (const username of ['legacy', 'legacy2']) {
      await s.gh.store.users.create({
        uid: `imp-${username}`, username, email: null, name: '', passwordHash: moonrakerHash(salt, hash), source: 'moonraker',
        isAdmin: false, isServiceAccount: false, isDisabled: false, orgId: 1,
      });
    }
  });
  after(() => s.stop());

  test('a wrong password is "Invalid Password", and the stored hash is left as imported', async () => {
    assertError(await s.req('POST', '/access/login', { body: { username: 'legacy2', password: 'not-it' } }), 400, 'Invalid Password');
    assert.equal(storedHash(s.dataDir, 'legacy2'), moonrakerHash(salt, hash));
  });

  test('the right password logs in, and the hash is upgraded to argon2id on that login', async () => {
    const u = await login(s, 'legacy', 'old-moonraker-pw');
    assert.equal(resultOf(await whoami(s, bearer(u.token))).username, 'legacy');
    assert.match(storedHash(s.dataDir, 'legacy')!, ARGON2ID);
  });

  test('after the upgrade the same password still logs in, also after a restart', async () => {
    await login(s, 'legacy', 'old-moonraker-pw');
    await s.stop({ keepData: true });
    s = await startGatehouse({ limits: { login_attempts_per_user: 0, login_attempts_per_ip: 0 } }, s.dataDir);
    await login(s, 'legacy', 'old-moonraker-pw');
    assertError(await s.req('POST', '/access/login', { body: { username: 'legacy', password: 'old-moonraker-pwX' } }), 400, 'Invalid Password');
  });

  test('an imported user can change its password like anyone else', async () => {
    const u = await login(s, 'legacy2', 'old-moonraker-pw');
    resultOf(await s.req('POST', '/access/user/password', { body: { password: 'old-moonraker-pw', new_password: 'brand-new' }, headers: bearer(u.token) }));
    await login(s, 'legacy2', 'brand-new');
    assert.match(storedHash(s.dataDir, 'legacy2')!, ARGON2ID);
  });
});

test('an account written to the store by another process (the CLI, a second instance) can be deleted at once, before any sync', async () => {
  const s = await startGatehouse();
  try {
    await s.gh.store.users.create({
      uid: 'elsewhere001', username: 'elsewhere', email: null, name: '', passwordHash: null, source: 'moonraker',
      isAdmin: false, isServiceAccount: false, isDisabled: false, orgId: 1,
    });
    const r = await s.req('DELETE', '/access/user', { body: { username: 'elsewhere' }, headers: { 'x-api-key': s.apiKey() } });
    assert.deepEqual(resultOf(r), { username: 'elsewhere', action: 'user_deleted' });
    assert.equal(await s.gh.store.users.byUsername('elsewhere'), undefined);
  } finally {
    await s.stop();
  }
});

// Issue 16, point 5: logging out ends the user's tokens, not the address's
// trust. A socket from a trusted address that logged in as a user and then out
// must stay usable, as the trusted client it still is (a client such as
// pymoonraker would otherwise be dead until it reconnects).
//
// Moonraker itself does not do this: since commit 8086279 ("websockets: require
// re-auth on user logout", 2023) the logout sets the socket's _need_auth, and
// the address is never looked at again after the upgrade. gatehouse's
// behaviour (src/faces/moonraker/websocket/hub.ts, fallBackToTrust) is therefore
// a deliberate difference (docs/notes/moonraker-args-and-secrets.md §4). What Moonraker and
// gatehouse share is pinned by the regular tests here.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFromConfig, type Running } from '../helpers/server.js';
import { RpcClient } from './client.js';

const TRUSTED = '127.0.0.2';
const UNAUTHORIZED = { code: -32602, message: 'Unauthorized' };

// The configurations, in the config file's own names.
const TRUSTED_CLIENT = `[authorization]
trusted_clients: ${TRUSTED}
`;
const TRUSTED_CLIENT_WITH_FORCE_LOGINS = `[authorization]
trusted_clients: ${TRUSTED}
force_logins: True
`;

async function createUser(s: Running, username: string) {
  const r = await s.req('POST', '/access/user', { body: { username, password: `pw-${username}` }, headers: { 'x-api-key': s.apiKey() } });
  assert.equal(r.status, 200, r.text);
  return r.json.result as { token: string; refresh_token: string };
}

describe('logout on a socket from a trusted address', () => {
  let s: Running;
  const sockets: RpcClient[] = [];
  const open = async () => {
    const c = await RpcClient.open(s.port, { localAddress: TRUSTED });
    sockets.push(c);
    return c;
  };
  before(async () => { s = await startFromConfig(TRUSTED_CLIENT); });
  after(async () => {
    for (const c of sockets) await c.close();
    await s.stop();
  });

  test('as the trusted user itself: 400 "Invalid log out request for user _TRUSTED_USER_", and the socket carries on (as Moonraker)', async () => {
    const c = await open();
    assert.equal((await c.result('access.get_user')).username, '_TRUSTED_USER_');
    assert.deepEqual((await c.call('access.logout')).error, { code: 400, message: 'Invalid log out request for user _TRUSTED_USER_' });
    assert.equal((await c.result('access.get_user')).username, '_TRUSTED_USER_');
    assert.equal(typeof (await c.identify()).result?.connection_id, 'number');
  });

  test('differs from Moonraker: after access.login then access.logout on it, the socket falls back to its address\'s trust (the user\'s tokens end, the socket stays usable)', async () => {
    await createUser(s, 'fay');
    const c = await open();
    const login = await c.result('access.login', { username: 'fay', password: 'pw-fay' });
    assert.equal((await c.result('access.get_user')).username, 'fay');
    assert.deepEqual(await c.result('access.logout'), { username: 'fay', action: 'user_logged_out' });
    await c.next((m) => m.method === 'notify_user_logged_out' && m.params[0].username === 'fay');
    const me = await c.call('access.get_user');
    assert.equal(me.result?.username, '_TRUSTED_USER_', JSON.stringify(me));
    assert.ok(Array.isArray((await c.result('access.users.list')).users));
    assert.equal(typeof (await c.identify()).result?.connection_id, 'number', 'it can still identify');
    const old = await s.req('GET', '/access/user', { headers: { authorization: `Bearer ${login.token}` } });
    assert.equal(old.status, 401, 'the user\'s tokens ended');
    await createUser(s, 'gil');
    await c.next((m) => m.method === 'notify_user_created' && m.params[0].username === 'gil'); // still gets notifications
  });

  test('differs from Moonraker: identified with an access token, the socket falls back to its address\'s trust when that user logs out, on it or anywhere', async () => {
    const hal = await createUser(s, 'hal');
    const onIt = await open();
    await onIt.identify({ access_token: hal.token });
    const elsewhere = await open();
    await elsewhere.identify({ access_token: (await s.req('POST', '/access/login', { body: { username: 'hal', password: 'pw-hal' } })).json.result.token });
    assert.equal((await onIt.result('access.get_user')).username, 'hal');
    assert.equal((await elsewhere.result('access.get_user')).username, 'hal');
    assert.deepEqual(await onIt.result('access.logout'), { username: 'hal', action: 'user_logged_out' });
    for (const c of [onIt, elsewhere]) {
      await c.next((m) => m.method === 'notify_user_logged_out' && m.params[0].username === 'hal');
      const me = await c.call('access.get_user');
      assert.equal(me.result?.username, '_TRUSTED_USER_', JSON.stringify(me));
    }
  });
});

describe('deletion of the user a socket from a trusted address acts as', () => {
  let s: Running;
  before(async () => { s = await startFromConfig(TRUSTED_CLIENT); });
  after(() => s.stop());

  test('differs from Moonraker: the socket falls back to its address\'s trust when its user is deleted, as after a logout', async () => {
    await createUser(s, 'jo');
    const c = await RpcClient.open(s.port, { localAddress: TRUSTED });
    try {
      await c.result('access.login', { username: 'jo', password: 'pw-jo' });
      assert.equal((await c.result('access.get_user')).username, 'jo');
      const del = await s.req('DELETE', '/access/user', { body: { username: 'jo' }, headers: { 'x-api-key': s.apiKey() } });
      assert.equal(del.status, 200, del.text);
      await c.next((m) => m.method === 'notify_user_deleted' && m.params[0].username === 'jo');
      const me = await c.call('access.get_user');
      assert.equal(me.result?.username, '_TRUSTED_USER_', JSON.stringify(me));
    } finally { await c.close(); }
  });
});

describe('logout on a socket from a trusted address, with force_logins and a user', () => {
  let s: Running;
  before(async () => {
    s = await startFromConfig(TRUSTED_CLIENT_WITH_FORCE_LOGINS);
    await createUser(s, 'ida');
  });
  after(() => s.stop());

  test('the address authenticates nothing once a user exists, so after logout the socket needs auth again (as Moonraker)', async () => {
    const c = await RpcClient.open(s.port, { localAddress: TRUSTED });
    try {
      assert.deepEqual((await c.call('access.get_user')).error, UNAUTHORIZED);
      await c.result('access.login', { username: 'ida', password: 'pw-ida' });
      assert.equal((await c.result('access.get_user')).username, 'ida');
      await c.result('access.logout');
      await c.next((m) => m.method === 'notify_user_logged_out');
      assert.deepEqual((await c.call('access.get_user')).error, UNAUTHORIZED);
      assert.deepEqual((await c.identify()).error, UNAUTHORIZED);
    } finally { await c.close(); }
  });
});

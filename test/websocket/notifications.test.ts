// notify_user_created / notify_user_deleted / notify_user_logged_out pushed as
// Moonraker sends them, and revocation: a socket whose user logs out (anywhere),
// is deleted, or whose login family is revoked stops being authenticated.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, type Running } from '../helpers/server.js';
import { RpcClient, sleep } from './client.js';

const UNAUTHORIZED = { code: -32602, message: 'Unauthorized' };
const note = (method: string, username: string) => ({ jsonrpc: '2.0', method, params: [{ username }] });

describe('user notifications and revocation', () => {
  let s: Running;
  let keyed: RpcClient; // API key
  let anon: RpcClient; // never authenticated
  const users: Record<string, { token: string; refresh_token: string }> = {};

  const createUser = async (username: string) => {
    const r = await s.req('POST', '/access/user', { body: { username, password: `pw-${username}` }, headers: { 'x-api-key': s.apiKey() } });
    assert.equal(r.status, 200, r.text);
    users[username] = r.json.result;
    return r.json.result as { token: string; refresh_token: string };
  };
  const asUser = async (username: string) => {
    const c = await RpcClient.open(s.port);
    assert.ok((await c.identify({ access_token: users[username]!.token })).result);
    return c;
  };

  before(async () => {
    s = await startGatehouse({ authorization: { trusted_clients: ['127.0.0.2'] } });
    keyed = await RpcClient.open(s.port);
    await keyed.identify({ api_key: s.apiKey() });
    anon = await RpcClient.open(s.port);
  });
  after(async () => {
    await keyed.close();
    await anon.close();
    await s.stop();
  });

  test('notify_user_created reaches every authenticated socket (user, API key, trusted), exactly as Moonraker words it; not unauthenticated ones', async () => {
    await createUser('hank');
    const hank = await asUser('hank');
    const trusted = await RpcClient.open(s.port, { localAddress: '127.0.0.2' });
    try {
      assert.equal((await trusted.result('access.get_user')).username, '_TRUSTED_USER_');
      await s.req('POST', '/access/user', { body: { username: 'ivy', password: 'pw-ivy' }, headers: { 'x-api-key': s.apiKey() } });
      for (const c of [keyed, hank, trusted]) {
        assert.deepEqual(await c.next((m) => m.method === 'notify_user_created' && m.params[0].username === 'ivy'), note('notify_user_created', 'ivy'));
      }
      await sleep(50);
      assert.deepEqual(anon.notifications('notify_user_created'), []);
    } finally {
      await hank.close();
      await trusted.close();
    }
  });

  test('a user created over the socket: the creator gets its answer first, then the notification', async () => {
    const start = keyed.messages.length;
    const answer = await keyed.call('access.post_user', { username: 'jack', password: 'pw-jack' });
    users.jack = answer.result;
    const n = await keyed.next((m) => m.method === 'notify_user_created' && m.params[0].username === 'jack');
    assert.ok(keyed.messages.indexOf(answer) < keyed.messages.indexOf(n));
    assert.ok(keyed.messages.indexOf(answer) >= start);
  });

  test('logout over HTTP: everyone gets notify_user_logged_out (the user\'s own sockets too), then the user\'s sockets need auth', async () => {
    await createUser('kate');
    const kate1 = await asUser('kate');
    const ost = (await s.req('GET', '/access/oneshot_token', { headers: { authorization: `Bearer ${users.kate!.token}` } })).json.result;
    const kate2 = await RpcClient.open(s.port, { query: { token: ost } }); // authenticated by a oneshot token: no login family
    const jack = await asUser('jack');
    try {
      assert.equal((await kate2.result('access.get_user')).username, 'kate');
      const r = await s.req('POST', '/access/logout', { headers: { authorization: `Bearer ${users.kate!.token}` } });
      assert.equal(r.status, 200, r.text);
      for (const c of [keyed, jack, kate1, kate2]) {
        assert.deepEqual(await c.next((m) => m.method === 'notify_user_logged_out' && m.params[0].username === 'kate'), note('notify_user_logged_out', 'kate'));
      }
      assert.deepEqual((await kate1.call('access.get_user')).error, UNAUTHORIZED);
      assert.deepEqual((await kate2.call('access.get_user')).error, UNAUTHORIZED);
      assert.equal((await jack.result('access.get_user')).username, 'jack', 'other users keep their sockets');
      // logged out sockets no longer receive notifications…
      await createUser('liam');
      await keyed.next((m) => m.method === 'notify_user_created' && m.params[0].username === 'liam');
      await sleep(50);
      assert.deepEqual(kate1.notifications('notify_user_created').filter((m) => m.params[0].username === 'liam'), []);
      // …until they log in again
      await kate1.result('access.login', { username: 'kate', password: 'pw-kate' });
      assert.equal((await kate1.result('access.get_user')).username, 'kate');
    } finally {
      await kate1.close();
      await kate2.close();
      await jack.close();
    }
  });

  test('logout over the socket: the answer, then the notification; the socket needs auth', async () => {
    const jack = await asUser('jack');
    try {
      const answer = await jack.call('access.logout');
      assert.deepEqual(answer.result, { username: 'jack', action: 'user_logged_out' });
      const n = await jack.next((m) => m.method === 'notify_user_logged_out');
      assert.deepEqual(n, note('notify_user_logged_out', 'jack'));
      assert.ok(jack.messages.indexOf(answer) < jack.messages.indexOf(n));
      await keyed.next((m) => m.method === 'notify_user_logged_out' && m.params[0].username === 'jack');
      assert.deepEqual((await jack.call('access.users.list')).error, UNAUTHORIZED);
    } finally { await jack.close(); }
  });

  test('deleting a user: notify_user_deleted to all, including the deleted user\'s socket, which then needs auth', async () => {
    await createUser('mona');
    const mona = await asUser('mona');
    try {
      assert.deepEqual(await keyed.result('access.delete_user', { username: 'mona' }), { username: 'mona', action: 'user_deleted' });
      for (const c of [keyed, mona]) {
        assert.deepEqual(await c.next((m) => m.method === 'notify_user_deleted' && m.params[0].username === 'mona'), note('notify_user_deleted', 'mona'));
      }
      assert.deepEqual((await mona.call('access.get_user')).error, UNAUTHORIZED);
    } finally { await mona.close(); }
  });

  test('a password change revokes the user\'s other logins: sockets on them need auth (no notification, as Moonraker sends none)', async () => {
    await createUser('nina');
    const login2 = (await s.req('POST', '/access/login', { body: { username: 'nina', password: 'pw-nina' } })).json.result;
    const onFirst = await asUser('nina'); // the token from the creation
    const onSecond = await RpcClient.open(s.port);
    await onSecond.identify({ access_token: login2.token });
    try {
      const r = await s.req('POST', '/access/user/password', { body: { password: 'pw-nina', new_password: 'pw-nina-2' }, headers: { authorization: `Bearer ${login2.token}` } });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual((await onFirst.call('access.get_user')).error, UNAUTHORIZED, 'the other login family was revoked');
      assert.equal((await onSecond.result('access.get_user')).username, 'nina', 'the login that changed the password lives on');
    } finally {
      await onFirst.close();
      await onSecond.close();
    }
  });

  test('a revoked refresh family (refresh-token reuse) takes the socket on it down too', async () => {
    const s2 = await startGatehouse({ authorization: { refresh_token_rotation: true } });
    try {
      const created = (await s2.req('POST', '/access/user', { body: { username: 'otto', password: 'pw' }, headers: { 'x-api-key': s2.apiKey() } })).json.result;
      const c = await RpcClient.open(s2.port);
      await c.identify({ access_token: created.token });
      const first = await c.result('access.refresh_jwt', { refresh_token: created.refresh_token });
      assert.ok(first.refresh_token);
      assert.deepEqual((await c.call('access.refresh_jwt', { refresh_token: created.refresh_token })).error, { code: -32602, message: 'Invalid Refresh Token' });
      assert.deepEqual((await c.call('access.get_user')).error, UNAUTHORIZED);
      await c.close();
    } finally { await s2.stop(); }
  });
});

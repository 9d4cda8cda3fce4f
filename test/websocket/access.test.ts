// Every access.* method over JSON-RPC: the same params and results as the HTTP
// endpoint it shares its handler with, and Moonraker's error codes (the HTTP
// status, 401 → -32602, 404 → -32601).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, type Running } from '../helpers/server.js';
import { RpcClient } from './client.js';

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

describe('access.* over the websocket', () => {
  let s: Running;
  let admin: RpcClient; // identified with the API key
  before(async () => {
    s = await startGatehouse();
    admin = await RpcClient.open(s.port);
    await admin.identify({ api_key: s.apiKey() });
  });
  after(async () => {
    await admin.close();
    await s.stop();
  });

  const http = (method: string, path: string, body?: unknown, headers: Record<string, string> = { 'x-api-key': s.apiKey() }) =>
    s.req(method, path, { body, headers });

  test('access.post_user creates a user and logs it in, without changing who the connection is', async () => {
    const r = await admin.result('access.post_user', { username: 'carol', password: 'pw-carol' });
    assert.deepEqual(Object.keys(r).sort(), ['action', 'refresh_token', 'source', 'token', 'username']);
    assert.equal(r.username, 'carol');
    assert.equal(r.source, 'moonraker');
    assert.equal(r.action, 'user_created');
    assert.match(r.token, JWT);
    assert.match(r.refresh_token, JWT);
    assert.equal((await admin.result('access.get_user')).username, '_API_KEY_USER_');
    const verify = await s.req('GET', '/access/user', { headers: { authorization: `Bearer ${r.token}` } });
    assert.equal(verify.json.result.username, 'carol');
  });

  test('access.post_user errors: exists, reserved, missing argument, bad source', async () => {
    assert.deepEqual((await admin.call('access.post_user', { username: 'carol', password: 'x' })).error, { code: 400, message: 'User carol already exists' });
    assert.deepEqual((await admin.call('access.post_user', { username: '_TRUSTED_USER_', password: 'x' })).error, { code: 400, message: 'Invalid Request for user _TRUSTED_USER_' });
    assert.deepEqual((await admin.call('access.post_user', { username: 'dave' })).error, { code: 400, message: 'No data for argument: password' });
    assert.deepEqual((await admin.call('access.post_user', { username: 'dave', password: 'x', source: 'pam' })).error, { code: 400, message: "Invalid 'source': pam" });
  });

  test('access.login on a fresh socket: Moonraker result, and the connection becomes that user', async () => {
    const c = await RpcClient.open(s.port);
    try {
      const r = await c.result('access.login', { username: 'carol', password: 'pw-carol' });
      assert.deepEqual(Object.keys(r).sort(), ['action', 'refresh_token', 'source', 'token', 'username']);
      assert.equal(r.action, 'user_logged_in');
      assert.equal(r.username, 'carol');
      assert.match(r.token, JWT);
      const u = await c.result('access.get_user');
      assert.equal(u.username, 'carol');
      // and it may now identify without a credential
      assert.ok((await c.identify()).result.connection_id);
    } finally { await c.close(); }
  });

  test('access.login errors: wrong password, unknown user, reserved user, missing argument, LDAP not configured', async () => {
    const c = await RpcClient.open(s.port);
    try {
      assert.deepEqual((await c.call('access.login', { username: 'carol', password: 'nope' })).error, { code: 400, message: 'Invalid Password' });
      assert.deepEqual((await c.call('access.login', { username: 'zed', password: 'nope' })).error, { code: 400, message: 'Unregistered User: zed' });
      assert.deepEqual((await c.call('access.login', { username: '_API_KEY_USER_', password: 'x' })).error, { code: 400, message: 'Invalid Request for user _API_KEY_USER_' });
      assert.deepEqual((await c.call('access.login', { password: 'x' })).error, { code: 400, message: 'No data for argument: username' });
      assert.deepEqual((await c.call('access.login', { username: 'carol', password: 'x', source: 'ldap' })).error, { code: -32602, message: 'LDAP authentication not available' });
      assert.deepEqual((await c.call('access.login', { username: { a: 1 }, password: 'x' })).error.code, 400);
      assert.deepEqual((await c.call('access.get_user')).error, { code: -32602, message: 'Unauthorized' }, 'failed logins leave it unauthenticated');
    } finally { await c.close(); }
  });

  test('access.get_user matches GET /access/user', async () => {
    const ws = await admin.result('access.get_user');
    const h = await http('GET', '/access/user');
    assert.deepEqual(ws, h.json.result);
    assert.deepEqual(Object.keys(ws).sort(), ['created_on', 'scope', 'source', 'username']); // scope: issue 20
  });

  test('access.users.list matches GET /access/users/list', async () => {
    const ws = await admin.result('access.users.list');
    const h = await http('GET', '/access/users/list');
    assert.deepEqual(ws, h.json.result);
    assert.ok(ws.users.some((u: any) => u.username === 'carol'));
  });

  test('access.info matches GET /access/info', async () => {
    const c = await RpcClient.open(s.port);
    try {
      const ws = await c.result('access.info');
      assert.deepEqual(ws, (await s.req('GET', '/access/info')).json.result);
      assert.deepEqual(ws, { default_source: 'moonraker', available_sources: ['moonraker'], login_required: false, trusted: false });
    } finally { await c.close(); }
  });

  test('access.refresh_jwt: a new access token for the refresh token; a bad one is -32602', async () => {
    const { refresh_token } = await admin.result('access.post_user', { username: 'erin', password: 'pw-erin' });
    const c = await RpcClient.open(s.port);
    try {
      const r = await c.result('access.refresh_jwt', { refresh_token });
      assert.deepEqual(Object.keys(r).sort(), ['action', 'source', 'token', 'username']);
      assert.equal(r.action, 'user_jwt_refresh');
      assert.equal(r.username, 'erin');
      assert.deepEqual((await c.call('access.refresh_jwt', { refresh_token: 'x.y.z' })).error, { code: -32602, message: 'Invalid Refresh Token' });
      assert.deepEqual((await c.call('access.refresh_jwt', {})).error, { code: 400, message: 'No data for argument: refresh_token' });
      assert.deepEqual((await c.call('access.get_user')).error.code, -32602, 'refreshing does not authenticate the socket');
    } finally { await c.close(); }
  });

  test('access.oneshot_token: a 32-char base32 token that works once over HTTP from the same address', async () => {
    const t = await admin.result('access.oneshot_token');
    assert.match(t, /^[A-Z2-7]{32}$/);
    assert.equal((await s.req('GET', `/access/user?token=${t}`)).json.result.username, '_API_KEY_USER_');
    assert.equal((await s.req('GET', `/access/user?token=${t}`)).status, 401);
  });

  test('access.user.password: changes the password; wrong current password and reserved users refused', async () => {
    const c = await RpcClient.open(s.port);
    try {
      await c.result('access.login', { username: 'erin', password: 'pw-erin' });
      assert.deepEqual((await c.call('access.user.password', { password: 'wrong', new_password: 'x' })).error, { code: 400, message: 'Invalid Password' });
      assert.deepEqual((await c.call('access.user.password', { password: 'pw-erin' })).error, { code: 400, message: 'No data for argument: new_password' });
      assert.deepEqual(await c.result('access.user.password', { password: 'pw-erin', new_password: 'pw-erin-2' }), { username: 'erin', action: 'user_password_reset' });
      assert.equal((await c.result('access.get_user')).username, 'erin', 'the connection that changed it stays logged in');
      assert.equal((await s.req('POST', '/access/login', { body: { username: 'erin', password: 'pw-erin-2' } })).status, 200);
      assert.deepEqual((await admin.call('access.user.password', { password: 'a', new_password: 'b' })).error, { code: 400, message: 'Invalid Reset Request for user _API_KEY_USER_' });
    } finally { await c.close(); }
  });

  test('access.delete_user: result, and its errors (self, unknown, reserved, missing)', async () => {
    await admin.result('access.post_user', { username: 'frank', password: 'pw' });
    assert.deepEqual(await admin.result('access.delete_user', { username: 'frank' }), { username: 'frank', action: 'user_deleted' });
    assert.deepEqual((await admin.call('access.delete_user', { username: 'frank' })).error, { code: 400, message: 'No registered user: frank' });
    assert.deepEqual((await admin.call('access.delete_user', { username: '_API_KEY_USER_' })).error, { code: 400, message: 'Cannot delete logged in user _API_KEY_USER_' });
    assert.deepEqual((await admin.call('access.delete_user', { username: '_TRUSTED_USER_' })).error, { code: 400, message: 'Invalid Request for reserved user _TRUSTED_USER_' });
    assert.deepEqual((await admin.call('access.delete_user', {})).error, { code: 400, message: 'No data for argument: username' });
    const c = await RpcClient.open(s.port);
    try {
      await c.result('access.login', { username: 'carol', password: 'pw-carol' });
      assert.deepEqual((await c.call('access.delete_user', { username: 'carol' })).error, { code: 400, message: 'Cannot delete logged in user carol' });
    } finally { await c.close(); }
  });

  test('access.logout: result; an API-key connection cannot log out', async () => {
    const c = await RpcClient.open(s.port);
    try {
      await c.result('access.login', { username: 'carol', password: 'pw-carol' });
      assert.deepEqual(await c.result('access.logout'), { username: 'carol', action: 'user_logged_out' });
      assert.deepEqual((await c.call('access.get_user')).error, { code: -32602, message: 'Unauthorized' }, 'logged out: the socket needs auth again');
    } finally { await c.close(); }
    assert.deepEqual((await admin.call('access.logout')).error, { code: 400, message: 'Invalid log out request for user _API_KEY_USER_' });
  });

  test('differs from Moonraker: access.post_api_key ends the authentication of sockets on the old key (Moonraker leaves open websockets alone); the rotating socket keeps its auth', async () => {
    const old = s.apiKey();
    assert.equal(await admin.result('access.get_api_key'), old);
    const other = await RpcClient.open(s.port, { headers: { 'x-api-key': old } });
    try {
      const fresh = await admin.result('access.post_api_key');
      assert.match(fresh, /^[0-9a-f]{32}$/);
      assert.notEqual(fresh, old);
      assert.equal(fresh, s.apiKey());
      assert.equal(await admin.result('access.get_api_key'), fresh, 'the connection that rotated it still authenticated');
      assert.equal((await http('GET', '/access/user', undefined, { 'x-api-key': old })).status, 401);
      assert.deepEqual((await other.call('access.get_user')).error, { code: -32602, message: 'Unauthorized' }, 'a socket on the old key lost it');
    } finally { await other.close(); }
  });

  test('params that are not an object: -32602 "Invalid params:"', async () => {
    assert.deepEqual((await admin.call('access.get_user', ['a'])).error, { code: -32602, message: 'Invalid params:' });
    assert.deepEqual((await admin.call('access.login', 'carol')).error, { code: -32602, message: 'Invalid params:' });
    assert.deepEqual((await admin.call('access.info', null)).error, { code: -32602, message: 'Invalid params:' });
  });
});

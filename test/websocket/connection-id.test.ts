// Issue 16, point 4: `connection_id` on POST /access/login. Moonraker reads it
// from the query string or a form body (Tornado's get_argument; never from a
// JSON body), finds the websocket whose connection_id (server.connection.identify's
// result) it is, and after a successful login sets that socket's user to the
// one who logged in, which also ends its need for auth. A user creation does
// not. docs/notes/moonraker-args-and-secrets.md §3.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, type Running } from '../helpers/server.js';
import { RpcClient } from './client.js';

const UNAUTHORIZED = { code: -32602, message: 'Unauthorized' };

describe('POST /access/login with connection_id', () => {
  let s: Running;
  let cora: { token: string; refresh_token: string };
  const sockets: RpcClient[] = [];
  before(async () => {
    s = await startGatehouse();
    const r = await s.req('POST', '/access/user', { body: { username: 'cora', password: 'cora-pw' }, headers: { 'x-api-key': s.apiKey() } });
    assert.equal(r.status, 200, r.text);
    cora = r.json.result;
  });
  after(async () => {
    for (const c of sockets) await c.close();
    await s.stop();
  });

  /** A socket authenticated with the API key on its upgrade, identified; returns it and its connection_id. */
  async function apiKeySocket(): Promise<[RpcClient, number]> {
    const c = await RpcClient.open(s.port, { headers: { 'x-api-key': s.apiKey() } });
    sockets.push(c);
    const id = (await c.identify()).result.connection_id;
    assert.equal(typeof id, 'number');
    assert.equal((await c.result('access.get_user')).username, '_API_KEY_USER_');
    return [c, id];
  }
  const login = (query: string, body: unknown = { username: 'cora', password: 'cora-pw' }) =>
    s.req('POST', `/access/login${query}`, { body });

  test('?connection_id=<id>: after the login the socket with that id acts as the user who logged in', async () => {
    const [c, id] = await apiKeySocket();
    const r = await login(`?connection_id=${id}`);
    assert.equal(r.status, 200, r.text);
    const me = await c.result('access.get_user');
    assert.equal(me.username, 'cora');
    assert.equal(me.source, 'moonraker');
  });

  test('a socket whose user logged out is authenticated again by an HTTP login naming it, and gets notifications again', async () => {
    const c = await RpcClient.open(s.port);
    sockets.push(c);
    const id = (await c.identify({ access_token: cora.token })).result.connection_id;
    const out = await s.req('POST', '/access/logout', { headers: { authorization: `Bearer ${cora.token}` } });
    assert.equal(out.status, 200, out.text);
    await c.next((m) => m.method === 'notify_user_logged_out');
    assert.deepEqual((await c.call('access.get_user')).error, UNAUTHORIZED);
    const r = await login(`?connection_id=${id}`);
    assert.equal(r.status, 200, r.text);
    assert.equal((await c.result('access.get_user')).username, 'cora');
    await s.req('POST', '/access/user', { body: { username: 'dora', password: 'dora-pw' }, headers: { 'x-api-key': s.apiKey() } });
    assert.deepEqual(await c.next((m) => m.method === 'notify_user_created'), { jsonrpc: '2.0', method: 'notify_user_created', params: [{ username: 'dora' }] });
  });

  test('connection_id in a form-encoded body works as in the query string', async () => {
    const [c, id] = await apiKeySocket();
    const r = await s.req('POST', '/access/login', {
      raw: `username=cora&password=cora-pw&connection_id=${id}`, headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal((await c.result('access.get_user')).username, 'cora');
  });

  test('a connection_id in a JSON body is not read (Moonraker takes it from the query or a form only): the socket stays as it was', async () => {
    const [c, id] = await apiKeySocket();
    const r = await login('', { username: 'cora', password: 'cora-pw', connection_id: id });
    assert.equal(r.status, 200, r.text);
    assert.equal((await c.result('access.get_user')).username, '_API_KEY_USER_');
  });

  test('a failed login, a user creation (POST /access/user), an unknown or a non-integer connection_id leave every socket as it was', async () => {
    const [c, id] = await apiKeySocket();
    assert.equal((await login(`?connection_id=${id}`, { username: 'cora', password: 'wrong' })).status, 400);
    const created = await s.req('POST', `/access/user?connection_id=${id}`, { body: { username: 'emma', password: 'emma-pw' }, headers: { 'x-api-key': s.apiKey() } });
    assert.equal(created.status, 200, created.text);
    for (const q of ['?connection_id=999999999', '?connection_id=abc', '?connection_id=']) {
      const r = await login(q);
      assert.equal(r.status, 200, `${q}: ${r.text}`);
    }
    assert.equal((await c.result('access.get_user')).username, '_API_KEY_USER_');
  });
});

// Issue 21 point 4: websocket notifications reach clients on every instance, and a
// oneshot token is consumed exactly once across all instances.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, bearer, moonrakerLogin, startCluster, type Instance } from '../helpers/instances.js';
import { RpcClient } from '../websocket/client.js';

let cluster: Awaited<ReturnType<typeof startCluster>>;
let a: Instance, b: Instance, c: Instance;
let apiKey: string;
before(async () => {
  cluster = await startCluster(3);
  [a, b, c] = cluster.nodes as [Instance, Instance, Instance];
  const { token } = await moonrakerLogin(a, 'admin', ADMIN_PASSWORD);
  apiKey = (await a.req('GET', '/access/api_key', { headers: bearer(token) })).json.result;
});
after(() => cluster.stop());

const note = (method: string, username: string) => ({ jsonrpc: '2.0', method, params: [{ username }] });

test('notify_user_created, notify_user_logged_out and notify_user_deleted from A reach sockets on A, B and C, as Moonraker words them', async () => {
  const sockets = await Promise.all([a, b, c].map((n) => RpcClient.open(n.port)));
  try {
    for (const s of sockets) await s.identify({ api_key: apiKey });
    const made = await a.req('POST', '/access/user', { body: { username: 'roamer', password: 'roamer-pw' }, headers: { 'x-api-key': apiKey } });
    assert.equal(made.status, 200, made.text);
    for (const s of sockets) assert.deepEqual(await s.next((m) => m.method === 'notify_user_created'), note('notify_user_created', 'roamer'));
    assert.equal((await a.req('POST', '/access/logout', { headers: bearer(made.json.result.token) })).status, 200);
    for (const s of sockets) assert.equal((await s.next((m) => m.method === 'notify_user_logged_out')).params[0].username, 'roamer');
    assert.equal((await b.req('DELETE', '/access/user', { body: { username: 'roamer' }, headers: { 'x-api-key': apiKey } })).status, 200);
    for (const s of sockets) assert.equal((await s.next((m) => m.method === 'notify_user_deleted')).params[0].username, 'roamer');
    for (const s of sockets) assert.equal(s.notifications('notify_user_created').length, 1, 'each notification once per socket');
  } finally {
    await Promise.all(sockets.map((s) => s.close()));
  }
});

test('a oneshot token presented to A, B and C at the same moment is good exactly once', async () => {
  const { token } = await moonrakerLogin(a, 'admin', ADMIN_PASSWORD);
  for (let i = 0; i < 10; i++) {
    const oneshot = (await [a, b, c][i % 3]!.req('GET', '/access/oneshot_token', { headers: bearer(token) })).json.result;
    const tries = await Promise.all([a, b, c, a, b, c].map((n) => n.req('GET', `/access/user?token=${oneshot}`)));
    assert.deepEqual(tries.map((r) => r.status).sort(), [200, 401, 401, 401, 401, 401], `trial ${i}`);
  }
});

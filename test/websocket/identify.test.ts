// Authenticating a websocket: on the upgrade request (oneshot ?token=,
// ?access_token=, X-Api-Key, trusted client) and afterwards with
// server.connection.identify (access_token or api_key); what an
// unauthenticated connection may call; identify's errors.
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, type Running } from '../helpers/server.js';
import { RpcClient } from './client.js';

const UNAUTHORIZED = { code: -32602, message: 'Unauthorized' };

async function createUser(s: Running, username: string, password = 'secret-pw') {
  const r = await s.req('POST', '/access/user', { body: { username, password }, headers: { 'x-api-key': s.apiKey() } });
  assert.equal(r.status, 200, r.text);
  return r.json.result as { token: string; refresh_token: string };
}

describe('websocket authentication', () => {
  let s: Running;
  let alice: { token: string; refresh_token: string };
  before(async () => {
    s = await startGatehouse();
    alice = await createUser(s, 'alice');
  });
  after(async () => { await s.stop(); });

  test('a connection without credentials opens, needing auth: only login, refresh_jwt, info and identify run', async () => {
    const c = await RpcClient.open(s.port);
    try {
      for (const m of ['access.get_user', 'access.logout', 'access.users.list', 'access.oneshot_token', 'access.get_api_key', 'access.post_api_key', 'server.websocket.id']) {
        assert.deepEqual((await c.call(m)).error, UNAUTHORIZED, m);
      }
      assert.deepEqual((await c.call('access.post_user', { username: 'x', password: 'y' })).error, UNAUTHORIZED);
      assert.deepEqual((await c.call('access.delete_user', { username: 'alice' })).error, UNAUTHORIZED);
      assert.deepEqual((await c.call('access.user.password', { password: 'a', new_password: 'b' })).error, UNAUTHORIZED);
      assert.equal((await c.result('access.info')).login_required, false);
      assert.equal((await c.result('access.refresh_jwt', { refresh_token: alice.refresh_token })).username, 'alice');
      // identify without a credential on a connection that needs one: Moonraker's "Unauthorized" (401 → -32602)
      assert.deepEqual((await c.identify()).error, UNAUTHORIZED);
      assert.deepEqual(await c.result('server.connection.identify', {
        client_name: 'app', version: '1', type: 'web', url: 'u', access_token: alice.token,
      }), { connection_id: (await c.result('server.websocket.id')).websocket_id });
      assert.equal((await c.result('access.get_user')).username, 'alice');
    } finally { await c.close(); }
  });

  test('identify with access_token: the connection acts as that user; result is {connection_id}', async () => {
    const c = await RpcClient.open(s.port);
    try {
      const r = await c.identify({ access_token: alice.token });
      assert.deepEqual(Object.keys(r.result), ['connection_id']);
      assert.equal(typeof r.result.connection_id, 'number');
      const u = await c.result('access.get_user');
      assert.equal(u.username, 'alice');
      assert.equal(u.source, 'moonraker');
      assert.equal(typeof u.created_on, 'number');
    } finally { await c.close(); }
  });

  test('identify with api_key: the connection acts as _API_KEY_USER_', async () => {
    const c = await RpcClient.open(s.port);
    try {
      assert.ok((await c.identify({ api_key: s.apiKey() })).result.connection_id);
      assert.equal((await c.result('access.get_user')).username, '_API_KEY_USER_');
      assert.equal(await c.result('access.get_api_key'), s.apiKey());
    } finally { await c.close(); }
  });

  test('differs from Moonraker: identify with an access_token that does not verify is -32602 "JWT Decode Error" whatever the reason (Moonraker words each: "Failed to decode JWT: …", "JWT Token type mismatch: …", 400 "Invalid key ID" after a logout)', async () => {
    const zed = await createUser(s, 'zed');
    assert.equal((await s.req('POST', '/access/logout', { headers: { authorization: `Bearer ${zed.token}` } })).status, 200);
    for (const token of ['not-a-jwt', alice.refresh_token, zed.token]) {
      const c = await RpcClient.open(s.port);
      try {
        assert.deepEqual((await c.identify({ access_token: token })).error, { code: -32602, message: 'JWT Decode Error' });
      } finally { await c.close(); }
    }
  });

  test('identify errors: bad token, bad key, already identified, missing argument, bad client type', async () => {
    const c = await RpcClient.open(s.port);
    try {
      assert.deepEqual((await c.identify({ access_token: 'not-a-jwt' })).error, { code: -32602, message: 'JWT Decode Error' });
      assert.deepEqual((await c.identify({ access_token: alice.refresh_token })).error, { code: -32602, message: 'JWT Decode Error' });
      assert.deepEqual((await c.identify({ api_key: 'f'.repeat(32) })).error, { code: -32602, message: 'Invalid API Key' });
      assert.deepEqual((await c.call('server.connection.identify', { version: '1', type: 'web', url: 'u' })).error, { code: 400, message: 'No data for argument: client_name' });
      assert.deepEqual((await c.call('server.connection.identify', { client_name: 'a', type: 'web', url: 'u' })).error, { code: 400, message: 'No data for argument: version' });
      assert.deepEqual((await c.call('server.connection.identify', { client_name: 'a', version: '1', url: 'u' })).error, { code: 400, message: 'No data for argument: type' });
      assert.deepEqual((await c.call('server.connection.identify', { client_name: 'a', version: '1', type: 'web' })).error, { code: 400, message: 'No data for argument: url' });
      // the credential is applied before the type is checked, as in Moonraker
      assert.deepEqual((await c.identify({ api_key: s.apiKey() }, 'Toaster')).error, { code: 400, message: 'Invalid Client Type: toaster' });
      assert.equal((await c.result('access.get_user')).username, '_API_KEY_USER_');
      assert.ok((await c.identify({}, 'DISPLAY')).result.connection_id, 'not identified yet, and authenticated: no credential needed');
      assert.deepEqual((await c.identify({ api_key: s.apiKey() })).error, {
        code: 400, message: "Connection already identified: {'name': 'gatehouse-test', 'version': '1.0', 'type': 'display', 'url': 'https://example.invalid'}",
      });
    } finally { await c.close(); }
  });

  test('every client type Moonraker knows is accepted', async () => {
    for (const type of ['web', 'mobile', 'desktop', 'display', 'bot', 'agent', 'other']) {
      const c = await RpcClient.open(s.port);
      try { assert.ok((await c.identify({ api_key: s.apiKey() }, type)).result, type); } finally { await c.close(); }
    }
  });

  test('an identified connection that already has an identity ignores api_key (Moonraker checks it only when there is none)', async () => {
    const c = await RpcClient.open(s.port, { headers: { 'x-api-key': s.apiKey() } });
    try {
      assert.ok((await c.identify({ api_key: 'wrong' })).result.connection_id);
      assert.equal((await c.result('access.get_user')).username, '_API_KEY_USER_');
    } finally { await c.close(); }
  });

  test('upgrade with X-Api-Key header', async () => {
    const c = await RpcClient.open(s.port, { headers: { 'x-api-key': s.apiKey() } });
    try { assert.equal((await c.result('access.get_user')).username, '_API_KEY_USER_'); } finally { await c.close(); }
  });

  test('upgrade with ?access_token= and with Authorization: Bearer', async () => {
    for (const o of [{ query: { access_token: alice.token } }, { headers: { authorization: `Bearer ${alice.token}` } }]) {
      const c = await RpcClient.open(s.port, o);
      try { assert.equal((await c.result('access.get_user')).username, 'alice'); } finally { await c.close(); }
    }
  });

  test('upgrade with a bad ?access_token= opens unauthenticated (Moonraker: need_auth), identify can still fix it', async () => {
    const c = await RpcClient.open(s.port, { query: { access_token: 'garbage' } });
    try {
      assert.deepEqual((await c.call('access.get_user')).error, UNAUTHORIZED);
      assert.ok((await c.identify({ access_token: alice.token })).result);
      assert.equal((await c.result('access.get_user')).username, 'alice');
    } finally { await c.close(); }
  });

  test('upgrade with a oneshot ?token=: single use', async () => {
    const ost = (await s.req('GET', '/access/oneshot_token', { headers: { authorization: `Bearer ${alice.token}` } })).json.result;
    const c = await RpcClient.open(s.port, { query: { token: ost } });
    try { assert.equal((await c.result('access.get_user')).username, 'alice'); } finally { await c.close(); }
    const again = await RpcClient.open(s.port, { query: { token: ost } });
    try { assert.deepEqual((await again.call('access.get_user')).error, UNAUTHORIZED); } finally { await again.close(); }
  });

  test('a oneshot token minted over the socket opens another socket', async () => {
    const c = await RpcClient.open(s.port, { headers: { 'x-api-key': s.apiKey() } });
    const ost = await c.result('access.oneshot_token');
    assert.match(ost, /^[A-Z2-7]{32}$/);
    await c.close();
    const d = await RpcClient.open(s.port, { query: { token: ost } });
    try { assert.equal((await d.result('access.get_user')).username, '_API_KEY_USER_'); } finally { await d.close(); }
  });

  test('a cross-origin upgrade is refused with 403 unless cors_domains allows the origin; same origin is fine', async () => {
    await assert.rejects(RpcClient.open(s.port, { headers: { origin: 'http://evil.example' } }), (e: any) => e.status === 403);
    const same = await RpcClient.open(s.port, { headers: { origin: `http://127.0.0.1:${s.port}` } });
    await same.close();
  });

  test('plain GET /websocket (no upgrade) is a 400', async () => {
    const r = await s.req('GET', '/websocket');
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, { error: { code: 400, message: 'Can "Upgrade" only to "WebSocket".' } });
  });

  test('upgrades on other paths do not open a websocket: 404 in the JSON envelope, and the server closes the socket', async () => {
    for (const path of ['/access/info', '/nope', '/websocket/x', '/api/org']) {
      const raw = await new Promise<string>((ok, fail) => {
        const sock = net.connect(s.port, '127.0.0.1', () => {
          sock.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
        });
        let out = '';
        sock.on('data', (c) => { out += c; });
        sock.on('end', () => ok(out)); // the server ended the connection
        sock.on('error', fail);
      });
      assert.match(raw, /^HTTP\/1\.1 404 Not Found\r\n/, path);
      assert.match(raw, /\r\nX-Content-Type-Options: nosniff\r\n/, path);
      assert.ok(raw.endsWith('{"error":{"code":404,"message":"Not Found"}}'), path);
    }
  });
});

describe('websocket authentication: trusted clients, force_logins, disabled API key', () => {
  test('a trusted address is authenticated on upgrade; identify needs no credential', async () => {
    const s = await startGatehouse({ authorization: { trusted_clients: ['127.0.0.0/8'] } });
    try {
      const c = await RpcClient.open(s.port);
      assert.equal((await c.result('access.get_user')).username, '_TRUSTED_USER_');
      assert.ok((await c.identify()).result.connection_id);
      assert.equal((await c.result('access.info')).trusted, true);
      await c.close();
    } finally { await s.stop(); }
  });

  test('with force_logins and a user, a trusted address is not enough: the socket opens needing auth', async () => {
    const s = await startGatehouse({ authorization: { trusted_clients: ['127.0.0.0/8'], force_logins: true } });
    try {
      const { token } = await createUser(s, 'bob');
      const c = await RpcClient.open(s.port);
      assert.deepEqual((await c.call('access.get_user')).error, UNAUTHORIZED);
      assert.equal((await c.result('access.info')).login_required, true);
      assert.ok((await c.identify({ access_token: token })).result);
      assert.equal((await c.result('access.get_user')).username, 'bob');
      await c.close();
    } finally { await s.stop(); }
  });

  test('enable_api_key off: identify with api_key is refused as Moonraker words it', async () => {
    const s = await startGatehouse({ authorization: { enable_api_key: false } });
    try {
      const c = await RpcClient.open(s.port, { headers: { 'x-api-key': s.apiKey() } });
      assert.deepEqual((await c.call('access.get_user')).error, UNAUTHORIZED);
      assert.deepEqual((await c.identify({ api_key: s.apiKey() })).error, { code: -32602, message: 'API Key authentication is disabled' });
      await c.close();
    } finally { await s.stop(); }
  });

  test('credentials in the upgrade URL or in identify never reach the logs (at debug level, where everything is logged)', async () => {
    const s = await startGatehouse({ gatehouse: { log_level: 'debug' } });
    try {
      const { token } = await createUser(s, 'paul');
      const ost = (await s.req('GET', '/access/oneshot_token', { headers: { authorization: `Bearer ${token}` } })).json.result;
      for (const query of [{ access_token: token }, { token: ost }, { access_token: 'bad-' + token }] as Record<string, string>[]) {
        const c = await RpcClient.open(s.port, { query });
        await c.identify({ access_token: token });
        await c.identify({ api_key: s.apiKey() });
        await c.call('access.login', { username: 'paul', password: 'secret-pw' });
        await c.close();
      }
      const logs = s.logs.join('');
      assert.ok(logs.includes('/websocket'), 'upgrades are logged');
      for (const secret of [token, ost, s.apiKey(), 'secret-pw']) assert.ok(!logs.includes(secret), 'a secret reached the log');
    } finally { await s.stop(); }
  });

  test('cors_domains admit a cross-origin upgrade', async () => {
    const s = await startGatehouse({ gatehouse: { moonraker_enabled: true }, authorization: { cors_domains: ['http://*.printer.example'] } });
    try {
      const c = await RpcClient.open(s.port, { headers: { origin: 'http://ui.printer.example' } });
      await c.close();
      await assert.rejects(RpcClient.open(s.port, { headers: { origin: 'http://ui.other.example' } }), (e: any) => e.status === 403);
    } finally { await s.stop(); }
  });
});

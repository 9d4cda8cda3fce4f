// Named Moonraker API keys (issue 20), black-box: created over HTTP and JSON-RPC,
// sent as X-Api-Key through the gateway (the recording upstream shows what
// reached it) and as identify's api_key on the websocket; revoked at once;
// expired keys refused; audited by name, never by key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, type Gateway } from './helpers.js';
import { apiKey, assertError, resultOf } from '../moonraker/helpers.js';
import { RpcClient, sleep } from '../websocket/client.js';

let g: Gateway;
before(async () => { g = await startGateway(); });
after(() => g.stop());

async function newKey(name: string, scope: string, expires_in?: number) {
  const body: Record<string, unknown> = { name, scope };
  if (expires_in !== undefined) body.expires_in = expires_in;
  return resultOf(await g.s.req('POST', '/access/api_keys', { body, headers: apiKey(g.s) }));
}
const withKey = (key: string) => ({ 'x-api-key': key });
const reached = (method: string, path: string) => g.up.requests.some((r) => r.method === method && r.url.split('?')[0] === path);

test('POST /access/api_keys answers {name, key, scope, expires_at} once; GET lists name, scope, times, never the key', async () => {
  const before = Date.now() / 1000;
  const r = await newKey('klipperscreen', 'control');
  assert.deepEqual(Object.keys(r), ['name', 'key', 'scope', 'expires_at']);
  assert.equal(r.name, 'klipperscreen');
  assert.match(r.key, /^[0-9a-f]{32}$/); // Moonraker's own key format
  assert.equal(r.scope, 'control');
  assert.equal(r.expires_at, null);
  const ttl = await newKey('one-day', 'read', 86_400);
  assert.ok(Math.abs(ttl.expires_at - (Date.now() / 1000 + 86_400)) < 60);
  const list = resultOf(await g.s.req('GET', '/access/api_keys', { headers: apiKey(g.s) }));
  const k = list.api_keys.find((x: any) => x.name === 'klipperscreen');
  assert.deepEqual(Object.keys(k), ['name', 'scope', 'created_on', 'expires_at', 'last_used']);
  assert.ok(k.created_on >= before - 1);
  assert.equal(k.last_used, null);
  assert.ok(!JSON.stringify(list).includes(r.key));
  // stored hashed: the key is nowhere in the store
  assert.ok(!JSON.stringify(await g.s.gh.core.audit.query({})).includes(r.key));
  // a second key of the same name, a bad scope, a bad lifetime, no name: clear 400s
  assertError(await g.s.req('POST', '/access/api_keys', { body: { name: 'klipperscreen', scope: 'read' }, headers: apiKey(g.s) }), 400, 'API key klipperscreen already exists');
  assertError(await g.s.req('POST', '/access/api_keys', { body: { name: 'x', scope: 'root' }, headers: apiKey(g.s) }), 400, /Invalid scope 'root'/);
  assertError(await g.s.req('POST', '/access/api_keys', { body: { name: 'x', scope: 'read', expires_in: -5 }, headers: apiKey(g.s) }), 400, /expires_in/);
  assertError(await g.s.req('POST', '/access/api_keys', { body: { scope: 'read' }, headers: apiKey(g.s) }), 400, 'No data for argument: name');
  assertError(await g.s.req('DELETE', '/access/api_keys?name=nope', { headers: apiKey(g.s) }), 404, 'No API key named nope');
});

test('a read key can query through the gateway, but POST /printer/print/start never reaches the upstream', async () => {
  const { key } = await newKey('dashboard', 'read');
  g.up.clear();
  assert.equal((await g.s.req('GET', '/server/info', { headers: withKey(key) })).status, 200);
  assert.equal((await g.s.req('GET', '/printer/objects/query?toolhead', { headers: withKey(key) })).status, 200);
  assertError(await g.s.req('POST', '/printer/print/start', { body: { filename: 'a.gcode' }, headers: withKey(key) }), 403, "Forbidden: scope 'read' may not do this, it needs 'control'");
  assertError(await g.s.req('POST', '/printer/gcode/script?script=G28', { headers: withKey(key) }), 403, /needs 'control'/);
  assert.ok(reached('GET', '/server/info'));
  assert.ok(!reached('POST', '/printer/print/start'));
  assert.ok(!reached('POST', '/printer/gcode/script'));
  // it acts as Moonraker's API user, with its scope
  assert.deepEqual(Object.entries(resultOf(await g.s.req('GET', '/access/user', { headers: withKey(key) }))).filter(([k]) => k !== 'created_on'),
    [['username', '_API_KEY_USER_'], ['source', 'moonraker'], ['scope', 'read']]);
  // a oneshot token it gets acts with the same scope
  const token = resultOf(await g.s.req('GET', '/access/oneshot_token', { headers: withKey(key) }));
  assertError(await g.s.req('POST', `/printer/print/start?token=${token}`), 403, /scope 'read'/);
  // the refusal is audited with the key's name, never the key
  const audit = await g.s.gh.core.audit.query({ event: 'scope_refused' });
  const e = audit.find((x) => x.detail?.key === 'dashboard' && x.detail.what === 'POST /printer/print/start');
  assert.ok(e, JSON.stringify(audit));
  assert.ok(!JSON.stringify(audit).includes(key));
  // last used: in memory at once (the store is written in batches)
  const listed = resultOf(await g.s.req('GET', '/access/api_keys', { headers: apiKey(g.s) })).api_keys.find((x: any) => x.name === 'dashboard');
  assert.equal(typeof listed.last_used, 'number');
});

test('a control key can print, but cannot create users or keys', async () => {
  const { key } = await newKey('slicer', 'control');
  g.up.clear();
  await g.s.req('POST', '/printer/print/start', { body: { filename: 'a.gcode' }, headers: withKey(key) });
  assert.ok(reached('POST', '/printer/print/start'));
  assertError(await g.s.req('POST', '/access/user', { body: { username: 'sneaky', password: 'pw' }, headers: withKey(key) }), 403, /scope 'control' .*needs 'admin'/);
  assertError(await g.s.req('POST', '/access/api_keys', { body: { name: 'escalate', scope: 'admin' }, headers: withKey(key) }), 403, /needs 'admin'/);
  assertError(await g.s.req('GET', '/access/api_key', { headers: withKey(key) }), 403, /needs 'admin'/);
  assert.equal(g.s.gh.core.accounts.get('sneaky'), undefined);
  assert.ok(!g.s.gh.core.moonrakerKeys.list().some((k) => k.name === 'escalate'));
});

test('a revoked key stops working at once, also on an open websocket identified with it', async () => {
  const { key } = await newKey('display', 'read');
  const c = await RpcClient.open(g.s.port);
  try {
    assert.ok((await c.identify({ api_key: key })).result.connection_id);
    assert.equal((await c.result('access.get_user')).scope, 'read');
    const del = resultOf(await g.s.req('DELETE', '/access/api_keys?name=display', { headers: apiKey(g.s) }));
    assert.deepEqual(del, { name: 'display', action: 'api_key_deleted' });
    assert.deepEqual((await c.call('access.get_user')).error, { code: -32602, message: 'Unauthorized' });
    // an X-Api-Key that proves nothing is Moonraker's plain 401 (the row falls through, policies.ts)
    assertError(await g.s.req('GET', '/server/info', { headers: withKey(key) }), 401, 'Unauthorized');
  } finally { await c.close(); }
  const audit = await g.s.gh.core.audit.query({ event: 'key_deleted' });
  assert.ok(audit.some((e) => e.detail?.kind === 'moonraker_key' && e.detail.name === 'display'));
});

test('an expired key is refused (401) and its use after expiry is audited', async () => {
  const { key } = await newKey('brief', 'admin', 1);
  assert.equal((await g.s.req('GET', '/server/info', { headers: withKey(key) })).status, 200);
  await sleep(1100);
  g.up.clear();
  assertError(await g.s.req('GET', '/server/info', { headers: withKey(key) }), 401, 'Unauthorized'); // X-Api-Key: Moonraker's plain 401
  assert.ok(!reached('GET', '/server/info'));
  const c = await RpcClient.open(g.s.port);
  try {
    assert.deepEqual((await c.identify({ api_key: key })).error, { code: -32602, message: 'Expired API Key' });
  } finally { await c.close(); }
  const audit = await g.s.gh.core.audit.query({ event: 'key_used_after_expiry' });
  assert.ok(audit.some((e) => e.detail?.name === 'brief'));
});

test('JSON-RPC access.api_keys.create / list / delete, as the HTTP routes', async () => {
  const c = await RpcClient.open(g.s.port);
  try {
    await c.identify({ api_key: g.s.apiKey() });
    const made = await c.result('access.api_keys.create', { name: 'over-ws', scope: 'read' });
    assert.match(made.key, /^[0-9a-f]{32}$/);
    assert.ok((await c.result('access.api_keys.list')).api_keys.some((k: any) => k.name === 'over-ws' && k.scope === 'read'));
    assert.equal((await g.s.req('GET', '/server/info', { headers: withKey(made.key) })).status, 200);
    assert.deepEqual(await c.result('access.api_keys.delete', { name: 'over-ws' }), { name: 'over-ws', action: 'api_key_deleted' });
    assertError(await g.s.req('GET', '/server/info', { headers: withKey(made.key) }), 401, 'Unauthorized');
  } finally { await c.close(); }
  const created = await g.s.gh.core.audit.query({ event: 'key_created' });
  assert.ok(created.some((e) => e.detail?.kind === 'moonraker_key' && e.detail.name === 'over-ws' && e.detail.scope === 'read'));
});

test('last-used times are batched: memory at once, the store at the flush (here: the stop), kept across a restart', async () => {
  const { startGatehouse } = await import('../helpers/server.js');
  const s = await startGatehouse();
  let made: { key: string };
  try {
    made = resultOf(await s.req('POST', '/access/api_keys', { body: { name: 'kept', scope: 'read' }, headers: apiKey(s) }));
    for (let i = 0; i < 5; i++) assert.equal((await s.req('GET', '/access/user', { headers: withKey(made.key) })).status, 200);
    assert.equal(typeof s.gh.core.moonrakerKeys.list()[0]!.lastUsedAt, 'number');
    assert.equal((await s.gh.store.moonrakerKeys.byName('kept'))!.lastUsedAt, null, 'no store write per request');
  } finally {
    await s.stop({ keepData: true });
  }
  const again = await startGatehouse({}, s.dataDir);
  try {
    const listed = resultOf(await again.req('GET', '/access/api_keys', { headers: apiKey(again) })).api_keys;
    assert.equal(listed.length, 1);
    assert.equal(typeof listed[0].last_used, 'number');
    assert.equal((await again.req('GET', '/access/user', { headers: withKey(made.key) })).status, 200);
  } finally {
    await again.stop();
  }
});

test('through the websocket gateway: a read key\'s printer.objects.query reaches the upstream, its printer.gcode.script never does', async () => {
    const { key } = await newKey('ws-reader', 'read');
    const c = await RpcClient.open(g.s.port);
    try {
      await c.identify({ api_key: key });
      g.up.clear();
      assert.ok((await c.call('printer.objects.query', { objects: { toolhead: null } })).result);
      assert.deepEqual((await c.call('printer.gcode.script', { script: 'G28' })).error, { code: 403, message: "Forbidden: scope 'read' may not do this, it needs 'control'" });
      assert.ok(g.up.calls.some((x) => x.method === 'printer.objects.query'));
      assert.ok(!g.up.calls.some((x) => x.method === 'printer.gcode.script'));
    } finally { await c.close(); }
  });

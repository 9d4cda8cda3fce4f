// User scopes (issue 20), black-box through the HTTP gateway and the websocket,
// with the recording upstream (test/helpers/upstream.ts) showing what reached it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startGateway, type Gateway } from './helpers.js';
import { apiKey, assertError, bearer, login, resultOf } from '../moonraker/helpers.js';
import { RpcClient } from '../websocket/client.js';

let g: Gateway;
before(async () => { g = await startGateway(); });
after(() => g.stop());

async function userWithScope(username: string, scope?: string) {
  const body: Record<string, string> = { username, password: `pw-${username}` };
  if (scope !== undefined) body.scope = scope;
  resultOf(await g.s.req('POST', '/access/user', { body, headers: apiKey(g.s) }));
  return login(g.s, username, `pw-${username}`);
}
const reached = (method: string, path: string) => g.up.requests.some((r) => r.method === method && r.url.split('?')[0] === path);

test('a read user can query through the gateway, but POST /printer/print/start is a 403 that never reaches the upstream', async () => {
  const reader = await userWithScope('reader', 'read');
  g.up.clear();
  assert.equal((await g.s.req('GET', '/server/info', { headers: bearer(reader.token) })).status, 200);
  assert.equal((await g.s.req('GET', '/printer/objects/query?toolhead', { headers: bearer(reader.token) })).status, 200);
  assertError(await g.s.req('POST', '/printer/print/start', { body: { filename: 'a.gcode' }, headers: bearer(reader.token) }), 403,
    "Forbidden: scope 'read' may not do this, it needs 'control'");
  assertError(await g.s.req('POST', '/printer/gcode/script?script=G28', { headers: bearer(reader.token) }), 403, /needs 'control'/);
  assertError(await g.s.req('POST', '/machine/reboot', { headers: bearer(reader.token) }), 403, /needs 'admin'/);
  assert.ok(reached('GET', '/server/info'));
  assert.ok(!reached('POST', '/printer/print/start'));
  assert.ok(!reached('POST', '/printer/gcode/script'));
  assert.ok(!reached('POST', '/machine/reboot'));
  // gatehouse's own /access: reading oneself is read, administration is admin
  assert.equal(resultOf(await g.s.req('GET', '/access/user', { headers: bearer(reader.token) })).scope, 'read');
  assertError(await g.s.req('GET', '/access/users/list', { headers: bearer(reader.token) }), 403, /needs 'admin'/);
  assertError(await g.s.req('GET', '/access/api_key', { headers: bearer(reader.token) }), 403, /needs 'admin'/);
});

test('a read user downloads G-code files but not the logs, which hold the configuration (moonraker.log writes all of it, klippy.log printer.cfg); an admin does', async () => {
  const reader = await login(g.s, 'reader', 'pw-reader');
  g.up.clear();
  assert.notEqual((await g.s.req('GET', '/server/files/gcodes/a.gcode', { headers: bearer(reader.token) })).status, 403);
  for (const path of ['/server/files/logs/moonraker.log', '/server/files/logs/klippy.log', '/server/files/moonraker.log', '/server/files/klippy.log']) {
    assertError(await g.s.req('GET', path, { headers: bearer(reader.token) }), 403, /needs 'admin'/);
    assert.ok(!reached('GET', path), path);
  }
  assert.notEqual((await g.s.req('GET', '/server/files/logs/moonraker.log', { headers: apiKey(g.s) })).status, 403);
  assert.ok(reached('GET', '/server/files/logs/moonraker.log'));
});

test('a control user can print, but cannot create users or read the API key; the refusal is audited', async () => {
  const op = await userWithScope('operator', 'control');
  g.up.clear();
  assert.equal((await g.s.req('POST', '/printer/print/start', { body: { filename: 'a.gcode' }, headers: bearer(op.token) })).status, 404); // the upstream's answer
  assert.ok(reached('POST', '/printer/print/start'));
  assertError(await g.s.req('POST', '/access/user', { body: { username: 'x', password: 'y' }, headers: bearer(op.token) }), 403, /scope 'control' .* needs 'admin'/);
  assertError(await g.s.req('POST', '/access/api_key', { headers: bearer(op.token) }), 403, /needs 'admin'/);
  assert.equal(g.s.gh.core.accounts.get('x'), undefined);
  const audit = await g.s.gh.core.audit.query({ event: 'scope_refused', username: 'operator' });
  assert.ok(audit.some((e) => e.detail?.what === 'POST /access/user' && e.detail.needed === 'admin' && e.detail.scope === 'control'), JSON.stringify(audit));
});

test('a control user\'s file calls: within gcodes they go upstream (the body as sent); naming the config root, or climbing out with .., they need admin and never reach it', async () => {
  const op = await userWithScope('filer', 'control');
  const h = bearer(op.token);
  g.up.clear();
  const move = JSON.stringify({ source: 'gcodes/a.gcode', dest: 'gcodes/old/a.gcode' });
  assert.notEqual((await g.s.req('POST', '/server/files/move', { raw: move, headers: { ...h, 'content-type': 'application/json' } })).status, 403);
  const seen = g.up.requests.find((r) => r.url === '/server/files/move');
  assert.ok(seen, 'reached the upstream');
  assert.equal(seen.sha256, createHash('sha256').update(move).digest('hex'), 'the body read for its arguments is forwarded as it came');
  assert.equal(seen.headers['content-type'], 'application/json');
  g.up.clear();
  for (const [method, path, o] of [
    ['POST', '/server/files/move', { body: { source: 'gcodes/a.gcode', dest: 'config/printer.cfg' } }],
    ['POST', '/server/files/copy', { body: { source: 'config/printer.cfg', dest: 'gcodes/leak.cfg' } }],
    ['POST', '/server/files/zip', { body: { items: ['gcodes/a.gcode', 'config'], dest: 'gcodes/all.zip' } }],
    ['POST', '/server/files/directory?path=config/macros', {}],
    ['DELETE', '/server/files/directory?path=/config/', {}],
    ['POST', '/server/files/move', { raw: 'source=gcodes%2Fa.gcode&dest=gcodes%2F..%2Fconfig%2Fx.cfg', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
  ] as const) {
    const r = await g.s.req(method, path, { ...o, headers: { ...h, ...('headers' in o ? o.headers : {}) } });
    assertError(r, 403, `Forbidden: scope 'control' may not do this, it needs 'admin'`);
  }
  assert.equal(g.up.requests.length, 0, 'none reached the upstream');
  assertError(await g.s.req('POST', '/server/files/move', { raw: '{"dest": ', headers: { ...h, 'content-type': 'application/json' } }), 400, /Malformed JSON/);
  assertError(await g.s.req('POST', '/server/files/move', { raw: JSON.stringify({ source: 'gcodes/a', dest: 'x'.repeat(70_000) }), headers: { ...h, 'content-type': 'application/json' } }), 413, /exceeds 65536 bytes/);
  // over the websocket, the JSON-RPC params decide the same way
  const c = await RpcClient.open(g.s.port);
  try {
    await c.identify({ access_token: op.token });
    assert.deepEqual((await c.call('server.files.delete_file', { path: 'config/printer.cfg' })).error, { code: 403, message: "Forbidden: scope 'control' may not do this, it needs 'admin'" });
    assert.deepEqual((await c.call('server.files.move', { source: 'config/moonraker.conf', dest: 'gcodes/m.conf' })).error.code, 403);
    assert.equal(g.up.calls.filter((x) => x.method.startsWith('server.files.')).length, 0);
    await c.call('server.files.move', { source: 'gcodes/a.gcode', dest: 'gcodes/b.gcode' });
    assert.deepEqual(g.up.calls.filter((x) => x.method.startsWith('server.files.')).map((x) => x.params), [{ source: 'gcodes/a.gcode', dest: 'gcodes/b.gcode' }]);
  } finally { await c.close(); }
  // an admin's calls are not read: they go on as they came
  const admin = await userWithScope('boss');
  assert.notEqual((await g.s.req('POST', '/server/files/move', { body: { source: 'gcodes/a.gcode', dest: 'config/a.cfg' }, headers: bearer(admin.token) })).status, 403);
  assert.ok(reached('POST', '/server/files/move'));
});

test('a control user\'s uploads: into gcodes the whole body reaches the upstream; into config (a field after a 1 MiB file, or in the query), or with a path that climbs, it is a 403 and the upstream never gets the complete body', async () => {
  const op = await userWithScope('uploader', 'control');
  const file = Buffer.alloc(1024 * 1024, 'G1 X1\n');
  const upload = async (token: string, fields: Record<string, string>, o: { query?: string; filename?: string; route?: string } = {}) => {
    const form = new FormData();
    form.append('file', new Blob([file]), o.filename ?? 'part.gcode');
    for (const [k, v] of Object.entries(fields)) form.append(k, v); // after the file, as the upstream reads them: at the end
    const req = new Request(`http://127.0.0.1:${g.s.port}${o.route ?? '/server/files/upload'}${o.query ?? ''}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    const bytes = Buffer.from(await req.arrayBuffer());
    const r = await fetch(req.url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': req.headers.get('content-type')! }, body: bytes });
    const text = await r.text();
    return { status: r.status, json: JSON.parse(text), sha256: createHash('sha256').update(bytes).digest('hex') };
  };
  const completeAtUpstream = (sha256: string) => g.up.requests.some((r) => /^\/(server\/files\/upload|api\/files\/local)/.test(r.url) && r.sha256 === sha256);
  g.up.clear();
  const ok = await upload(op.token, { root: 'gcodes', path: 'sub' });
  assert.notEqual(ok.status, 403, JSON.stringify(ok.json));
  assert.ok(completeAtUpstream(ok.sha256), 'the whole body, as sent');
  assert.ok(completeAtUpstream((await upload(op.token, {}, { route: '/api/files/local' })).sha256), 'OctoPrint\'s route, into gcodes');
  for (const [fields, o] of [[{ root: 'config' }, {}], [{ root: 'Config' }, {}], [{ root: 'gcodes', path: '../config' }, {}], [{ root: 'gcodes' }, { filename: '../config/printer.cfg' }], [{}, { query: '?root=config' }],
    [{ root: 'config' }, { route: '/api/files/local' }]] as const) { // OctoPrint's upload route is Moonraker's upload handler
    const r = await upload(op.token, fields, o);
    assert.equal(r.status, 403, JSON.stringify([fields, o, r.json]));
    assert.deepEqual(r.json, { error: { code: 403, message: "Forbidden: scope 'control' may not do this, it needs 'admin'" } });
    assert.ok(!completeAtUpstream(r.sha256), 'the upstream never had the complete body');
  }
  const admin = await userWithScope('uploading-admin');
  const mine = await upload(admin.token, { root: 'config' });
  assert.notEqual(mine.status, 403);
  assert.ok(completeAtUpstream(mine.sha256), 'an admin\'s upload is not read: it goes on as it came');
  const audit = await g.s.gh.core.audit.query({ event: 'scope_refused', username: 'uploader' });
  assert.ok(audit.some((e) => e.detail?.what === 'POST /server/files/upload'), JSON.stringify(audit));
});

test('a user made without a scope is admin (Moonraker\'s behaviour); a bad scope is a 400; the users list shows scopes', async () => {
  await userWithScope('plain');
  assert.equal(g.s.gh.core.accounts.get('plain')!.scope, 'admin');
  assertError(await g.s.req('POST', '/access/user', { body: { username: 'bad', password: 'pw', scope: 'root' }, headers: apiKey(g.s) }), 400,
    "Invalid scope 'root': must be one of read, control, admin");
  const users = resultOf(await g.s.req('GET', '/access/users/list', { headers: apiKey(g.s) })).users as any[];
  assert.equal(users.find((u) => u.username === 'plain').scope, 'admin');
});

test('an admin changes a user\'s scope (POST /access/user/scope): the very next request acts with it', async () => {
  const u = await userWithScope('mover', 'read');
  assertError(await g.s.req('POST', '/printer/gcode/script?script=G28', { headers: bearer(u.token) }), 403, /needs 'control'/);
  // only an admin may
  assertError(await g.s.req('POST', '/access/user/scope', { body: { username: 'mover', scope: 'admin' }, headers: bearer(u.token) }), 403, /needs 'admin'/);
  const r = resultOf(await g.s.req('POST', '/access/user/scope', { body: { username: 'mover', scope: 'control' }, headers: apiKey(g.s) }));
  assert.deepEqual(r, { username: 'mover', source: 'moonraker', scope: 'control', action: 'user_scope_changed' });
  g.up.clear();
  await g.s.req('POST', '/printer/gcode/script?script=G28', { headers: bearer(u.token) });
  assert.ok(reached('POST', '/printer/gcode/script'));
  assertError(await g.s.req('POST', '/access/user/scope', { body: { username: 'nobody', scope: 'read' }, headers: apiKey(g.s) }), 400, 'No registered user: nobody');
  assertError(await g.s.req('POST', '/access/user/scope', { body: { username: 'mover', scope: 'owner' }, headers: apiKey(g.s) }), 400, /Invalid scope/);
  const audit = await g.s.gh.core.audit.query({ event: 'scope_changed', username: 'mover' });
  assert.deepEqual(audit[0]!.detail, { from: 'read', to: 'control', by: '_API_KEY_USER_' });
});

test('the websocket\'s own access.* methods: a read user gets the JSON-RPC error, an admin does not', async () => {
  const reader = await login(g.s, 'reader', 'pw-reader');
  const c = await RpcClient.open(g.s.port);
  try {
    assert.ok((await c.identify({ access_token: reader.token })).result);
    assert.equal((await c.result('access.get_user')).scope, 'read');
    assert.deepEqual((await c.call('access.users.list')).error, { code: 403, message: "Forbidden: scope 'read' may not do this, it needs 'admin'" });
    assert.deepEqual((await c.call('access.post_user', { username: 'ws-made', password: 'pw' })).error.code, 403);
    assert.equal(g.s.gh.core.accounts.get('ws-made'), undefined);
  } finally { await c.close(); }
});

test('a scope change applies at once to a websocket already identified as that user', async () => {
  const u = await userWithScope('watcher', 'read');
  const c = await RpcClient.open(g.s.port);
  try {
    await c.identify({ access_token: u.token });
    assert.equal((await c.call('access.users.list')).error.code, 403);
    resultOf(await g.s.req('POST', '/access/user/scope', { body: { username: 'watcher', scope: 'admin' }, headers: apiKey(g.s) }));
    assert.ok((await c.result('access.users.list')).users.some((x: any) => x.username === 'watcher' && x.scope === 'admin'));
    assert.equal((await c.result('access.get_user')).scope, 'admin');
  } finally { await c.close(); }
});

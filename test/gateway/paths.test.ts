// Path normalisation before any decision, over raw sockets (fetch and
// node:http would normalise the target first): no spelling of a path gets
// past authentication, reaches an upstream path the check did not see, or
// turns one of gatehouse's paths into a forwarded one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rawRequest, startGateway } from './helpers.js';
import { GatewayPaths, forwardedQuery } from '../../src/faces/gateway/paths.js';

test('canonical form: dot segments (raw, %2e, %2E, mixed) resolved, // collapsed, unreserved escapes decoded, others upper-cased', () => {
  const p = new GatewayPaths('/gatehouse/');
  const cases: [string, string][] = [
    ['/server/info', '/server/info'],
    ['/access/../server/info', '/server/info'],
    ['/access/%2e%2e/server/info', '/server/info'],
    ['/access/%2E%2E/server/info', '/server/info'],
    ['/access/.%2e/server/info', '/server/info'],
    ['/access/%2e./server/info', '/server/info'],
    ['/%2e%2e/%2e%2e/server/info', '/server/info'],
    ['//server/info', '/server/info'],
    ['/server//info', '/server/info'],
    ['/server/./info', '/server/info'],
    ['/server/%69nfo', '/server/info'],
    ['/server/files/a%2fb', '/server/files/a%2Fb'],
    ['/server/files/my file.gcode', '/server/files/my%20file.gcode'],
    ['/server/files/\u00c3\u00a9.gcode', '/server/files/%C3%A9.gcode'],
    ['/server/../access/api_key', '/access/api_key'],
    ['/gatehouse/../server/info', '/server/info'],
  ];
  for (const [raw, path] of cases) {
    const t = p.canonical(raw + '?a=1');
    assert.ok(!(t instanceof Error), `${raw}: ${(t as Error).message}`);
    assert.deepEqual(t, { path, query: 'a=1' }, raw);
    // canonical is a fixed point: URL parsers (undici's, for the forwarded request) leave it as it is
    assert.equal(new URL(path, 'http://upstream').pathname, path, raw);
  }
  for (const raw of ['http://evil/server/info', '*', 'server/info', '/a\\b', '/a%00b', '/a%zzb', '/a%4', '/a#frag', '/access%2Fapi_key', '/server/x%2F..%2F..%2Faccess',
    '/server/files/%2Fetc', '/gatehouse%2Flogin', '/x..y/..z', '/a/b\u0001']) {
    assert.ok(p.canonical(raw) instanceof Error, raw);
  }
  assert.ok(p.owns('/access/api_key') && p.owns('/ACCESS/x') && p.owns('/websocket') && p.owns('/auth/verify') && p.owns('/auth/verify/x') && p.owns('/gatehouse/login') && p.owns('/gatehouse'));
  assert.ok(!p.owns('/server/info') && !p.owns('/api/version') && !p.owns('/auth/other') && !p.owns('/accessory') && !p.owns('/gatehousex/y'));
  assert.equal(forwardedQuery('token=a&access_token=b&x=1&%74oken=c&tokens=1&Token=2'), 'x=1&tokens=1&Token=2');
});

test('raw request targets: each reaches the upstream as its canonical form, or gatehouse, or nobody', async () => {
  const g = await startGateway();
  try {
    const key = g.s.apiKey();
    const send = (target: string, headers = `X-Api-Key: ${key}`) => rawRequest(g.s.port, `GET ${target} HTTP/1.1\r\n${headers}`);

    // forwarded, as the canonical path
    for (const target of ['/access/../server/info', '//server/info', '/access/%2e%2e/server/info', '/access/%2E%2e/server/info', '/access/.%2E/server/info',
      '/gatehouse/../server/info', '/auth/verify/../../server/info', '/websocket/%2E%2E/server/info', '/./server/./info', '/%2e%2e/%2e%2e/server/info']) {
      g.up.clear();
      const r = await send(target);
      assert.equal(r.status, 200, `${target}: ${r.body}`);
      assert.deepEqual(g.up.requests.map((x) => x.url), ['/server/info'], target);
    }

    // without a credential, none of them gets past authentication
    g.up.clear();
    for (const target of ['/access/../server/info', '//server/info', '/access/%2e%2e/server/info', '/access/.%2e/server/info']) {
      const r = await send(target, 'X-Other: 1');
      assert.equal(r.status, 401, target);
      assert.deepEqual(JSON.parse(r.body), { error: { code: 401, message: 'Unauthorized' } });
    }

    // paths that resolve to gatehouse's own are answered by gatehouse
    for (const target of ['/server/../access/api_key', '/server/%2e%2e/access/api_key', '//access/api_key', '/server/files/../../access/api_key']) {
      const r = await send(target);
      assert.equal(r.status, 200, target);
      assert.equal(JSON.parse(r.body).result, key, target);
    }
    for (const target of ['/ACCESS/api_key', '/server/../Access/api_key', '/gatehouse/../gatehouse/x']) assert.equal((await send(target)).status, 404, target);

    // refused: no canonical form, or one whose meaning changes when decoded
    for (const target of ['http://evil/server/info', 'http://127.0.0.1/server/info', '/server\\..\\access\\api_key', '/access\\..\\server\\info', '/server/x%00',
      '/server/%zz', '/access%2Fapi_key', '/server/files/..%2F..%2Faccess%2Fapi_key', '/server/files/%2E%2E%2Faccess', '/gatehouse%2F..%2Fserver%2Finfo']) {
      const r = await send(target);
      assert.equal(r.status, 400, `${target}: ${r.body}`);
      assert.match(JSON.parse(r.body).error.message, /^Bad request path: /);
    }
    assert.deepEqual(g.up.requests, [], 'nothing but the canonical /server/info ever reached the upstream');

    // the query is the client's, less the credentials gatehouse consumed
    const r = await send(`/server/echo?a=%2e%2e&token=1&b=2&access_token=x`, `X-Api-Key: ${key}`);
    assert.equal(r.status, 401, 'an access_token that is not a JWT is refused, as Moonraker does');
    const ok = await send(`/server/echo?a=%2e%2e&token=1&b=2`);
    assert.equal(ok.status, 200);
    assert.equal((g.up.requests as unknown as { url: string }[]).at(-1)!.url, '/server/echo?a=%2e%2e&b=2');

    // the log line of a refused target names it as it arrived, scrubbed
    await send('http://evil/server/info?token=SECRET-ONESHOT');
    const logs = g.s.logs.join('');
    assert.match(logs, /http:\/\/evil\/server\/info\?token=\[redacted\]/);
    assert.doesNotMatch(logs, /SECRET-ONESHOT/);
  } finally {
    await g.stop();
  }
});

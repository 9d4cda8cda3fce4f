// The HTTP gateway, black-box: gatehouse in front of the recording upstream
// (test/helpers/upstream.ts). What reaches the upstream, and what does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from './helpers.js';
import { assertError, bearer, createUser } from '../moonraker/helpers.js';
import { startGatehouse } from '../helpers/server.js';
import http from 'node:http';

function httpReq(port: number, method: string, path: string, o: { body?: string; headers?: Record<string, string> }): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: o.headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

test('no credential: Moonraker\'s 401 envelope, and the upstream sees nothing', async () => {
  const g = await startGateway();
  try {
    for (const [method, path] of [['GET', '/server/info'], ['POST', '/printer/gcode/script?script=G28'], ['DELETE', '/server/files/gcodes/a.gcode'], ['GET', '/api/version']]) {
      const r = await g.s.req(method!, path!, { headers: { 'x-api-key': 'wrong-key' } });
      assertError(r, 401, 'Unauthorized');
      assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="gatehouse"');
    }
    const bad = await g.s.req('GET', '/server/info', { headers: bearer('not.a.jwt') });
    assertError(bad, 401, 'JWT Decode Error');
    // an unauthenticated upload is refused before a byte of it is forwarded
    const up = await g.s.req('POST', '/server/files/upload', { raw: 'x'.repeat(200_000), headers: { 'content-type': 'multipart/form-data; boundary=b' } });
    assertError(up, 401, 'Unauthorized');
    assert.deepEqual(g.up.requests, []);
  } finally {
    await g.stop();
  }
});

test('each credential of Moonraker\'s pipeline gets through: JWT (three places), X-Api-Key, oneshot token, trusted client', async () => {
  const g = await startGateway({ authorization: { trusted_clients: ['127.0.0.2'] } });
  try {
    const ada = await createUser(g.s, 'ada', 'pw-ada-1');
    const info = (r: { json: any }) => r.json?.result?.moonraker_version;
    assert.equal(info(await g.s.req('GET', '/server/info', { headers: bearer(ada.token) })), 'v0.9.3-recording-upstream');
    assert.equal(info(await g.s.req('GET', '/server/info', { headers: { 'x-access-token': ada.token } })), 'v0.9.3-recording-upstream');
    assert.equal(info(await g.s.req('GET', `/server/info?access_token=${ada.token}`)), 'v0.9.3-recording-upstream');
    assert.equal(info(await g.s.req('GET', '/server/info', { headers: { 'x-api-key': g.s.apiKey() } })), 'v0.9.3-recording-upstream');
    const oneshot = (await g.s.req('GET', '/access/oneshot_token', { headers: bearer(ada.token) })).json.result;
    const dl = await g.s.req('GET', `/server/files/download/1000.bin?token=${oneshot}&x=1`);
    assert.equal(dl.status, 200);
    assert.equal(dl.text.length, 1000);
    // single use: the second time it is no credential
    assertError(await g.s.req('GET', `/server/info?token=${oneshot}`), 401, 'Unauthorized');
    // a trusted address needs none
    const { reqFrom } = await import('../moonraker/helpers.js');
    assert.equal((await reqFrom(g.s, '127.0.0.2', 'GET', '/server/info')).status, 200);
    assert.equal((await reqFrom(g.s, '127.0.0.3', 'GET', '/server/info')).status, 401);
    assert.deepEqual(g.up.requests.map((r) => r.url), ['/server/info', '/server/info', '/server/info', '/server/info', '/server/files/download/1000.bin?x=1', '/server/info']);
    // no credential gatehouse consumed reaches the upstream
    for (const r of g.up.requests) {
      assert.equal(r.headers.authorization, undefined);
      assert.equal(r.headers['x-api-key'], undefined);
      assert.equal(r.headers['x-access-token'], undefined);
      assert.doesNotMatch(r.url, /token=/);
    }
  } finally {
    await g.stop();
  }
});

test('force_logins: a trusted address is enough until the first Moonraker user exists, then not', async () => {
  const g = await startGateway({ authorization: { trusted_clients: ['127.0.0.0/8'], force_logins: true } });
  try {
    // the Grafana face's bootstrap admin does not count as Moonraker's first user (test/moonraker/faces.test.ts)
    assert.equal((await g.s.req('GET', '/server/info')).status, 200);
    await createUser(g.s, 'first', 'pw-first-1');
    assertError(await g.s.req('GET', '/server/info'), 401, 'Unauthorized, Force Logins Enabled');
    assert.equal((await g.s.req('GET', '/server/info', { headers: { 'x-api-key': g.s.apiKey() } })).status, 200);
    assert.equal(g.up.requests.length, 2);
  } finally {
    await g.stop();
  }
});

test('forwarded as sent: method, path, query, headers and body; hop-by-hop fields dropped, X-Forwarded-* and X-Real-Ip set', async () => {
  const g = await startGateway();
  try {
    const { token } = await createUser(g.s, 'dee', 'pw-dee-1');
    // node:http, not fetch: fetch refuses to send Connection, Keep-Alive, TE and Proxy-* itself
    const r = await httpReq(g.s.port, 'PATCH', `/server/echo?a=1&b=%20x&token=zzz&access_token=${token}&tokens=keep`, {
      body: '{"some":"json"}',
      headers: {
        'x-api-key': g.s.apiKey(), 'content-type': 'application/json', 'x-custom': 'kept', 'x-dropped-by-connection': '1',
        connection: 'keep-alive, X-Dropped-By-Connection', 'keep-alive': 'timeout=5', te: 'trailers', 'proxy-authorization': 'Basic eDp5',
        'x-forwarded-for': '203.0.113.9', 'x-real-ip': '10.9.9.9', 'x-scheme': 'https', 'x-forwarded-host': 'evil.example',
        cookie: 'grafana_session=secret-session; mine=1; grafana_session_expiry=123',
      },
    });
    assert.equal(r.status, 200, r.text);
    const seen = g.up.requests[0]!;
    assert.equal(seen.method, 'PATCH');
    assert.equal(seen.url, '/server/echo?a=1&b=%20x&tokens=keep');
    assert.equal(seen.bodyBytes, 15);
    assert.equal(seen.headers['content-type'], 'application/json');
    assert.equal(seen.headers['x-custom'], 'kept');
    for (const h of ['x-dropped-by-connection', 'keep-alive', 'te', 'proxy-authorization', 'x-api-key', 'x-scheme']) assert.equal(seen.headers[h], undefined, h);
    assert.equal(seen.headers['x-forwarded-for'], '203.0.113.9, 127.0.0.1', 'appended');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(seen.headers['x-forwarded-host'], `127.0.0.1:${g.s.port}`);
    // Tornado (Moonraker) takes X-Real-Ip over X-Forwarded-For: it names gatehouse, which the upstream trusts.
    assert.equal(seen.headers['x-real-ip'], '127.0.0.1');
    assert.equal(seen.headers.cookie, 'mine=1', 'gatehouse\'s session cookies are not passed on');
  } finally {
    await g.stop();
  }
});

test('answers come back as the upstream gave them: status, body and headers, with no retry and no header of gatehouse\'s added', async () => {
  const g = await startGateway();
  try {
    const key = { 'x-api-key': g.s.apiKey() };
    for (const code of [503, 404, 500, 418]) {
      const r = await g.s.req('GET', `/server/status/${code}`, { headers: key });
      assert.equal(r.status, code);
      assert.deepEqual(r.json, { error: { code, message: `status ${code} from upstream` } });
      assert.equal(r.headers.get('x-upstream-header'), 'kept');
      assert.equal(r.headers.get('set-cookie'), 'upstream_cookie=1; Path=/');
      assert.equal(r.headers.get('cache-control'), 'max-age=60');
      for (const h of ['x-frame-options', 'content-security-policy', 'x-content-type-options', 'referrer-policy']) assert.equal(r.headers.get(h), null, h);
    }
    assert.equal(g.up.requests.length, 4, 'a 503 is not retried');
    const nf = await g.s.req('GET', '/no/such/route', { headers: key });
    assert.deepEqual(nf.json, { error: { code: 404, message: 'Not Found' } });
    assert.equal(g.up.requests.at(-1)!.url, '/no/such/route');
    // HEAD and OPTIONS go through too
    assert.equal((await g.s.req('HEAD', '/server/info', { headers: key })).status, 200);
    assert.equal((await g.s.req('OPTIONS', '/server/echo', { headers: key })).status, 200);
    assert.deepEqual(g.up.requests.slice(-2).map((r) => r.method), ['HEAD', 'OPTIONS']);
  } finally {
    await g.stop();
  }
});

test('gatehouse\'s own paths stay its own, answered exactly as without a gateway, and never reach the upstream', async () => {
  const g = await startGateway();
  const plain = await startGatehouse({ gatehouse: { grafana_enabled: true, grafana_host: '127.0.0.1', grafana_port: 0 }, security: { admin_password: 'x-admin-pw' } });
  try {
    for (const s of [g.s, plain]) await createUser(s, 'cy', 'pw-cy-1');
    const strip = (r: { status: number; json: any; headers: Headers }) => ({ status: r.status, json: r.json, type: r.headers.get('content-type'), csp: r.headers.get('content-security-policy') });
    for (const [method, path, body] of [
      ['GET', '/access/info'], ['GET', '/access/user'], ['GET', '/access/nothing'], ['PUT', '/access/user'],
      ['POST', '/access/login', { username: 'cy', password: 'wrong' }], ['POST', '/access/login', '{bad json'],
    ] as [string, string, unknown?][]) {
      const o = typeof body === 'string' ? { raw: body, headers: { 'content-type': 'application/json' } } : body ? { body } : {};
      assert.deepEqual(strip(await g.s.req(method, path, o)), strip(await plain.req(method, path, o)), `${method} ${path}`);
    }
    const login = await g.s.req('POST', '/access/login', { body: { username: 'cy', password: 'pw-cy-1' } });
    assert.equal(login.status, 200);
    assert.equal((await g.s.req('GET', '/access/user', { headers: bearer(login.json.result.token) })).json.result.username, 'cy');
    // gatehouse's paths without a route of their own: 404 from gatehouse, whatever the credential
    for (const path of ['/access/nothing', '/ACCESS/api_key', '/Access/info', '/gatehouse/nothing', '/gatehouse', '/auth/verify/x', '/websocket/x']) {
      const r = await g.s.req('GET', path, { headers: { 'x-api-key': g.s.apiKey() } });
      assertError(r, 404, 'Not Found');
    }
    // the sign-in page lives under the prefix, with its assets
    const page = await g.s.req('GET', '/gatehouse/login');
    assert.equal(page.status, 200);
    assert.match(page.text, /data-action="\/gatehouse\/login"/);
    assert.match(page.text, /\/gatehouse\/public\/login\.js/);
    assert.equal((await g.s.req('GET', '/gatehouse/public/login.js')).status, 200);
    assert.deepEqual(g.up.requests, []);
  } finally {
    await g.stop();
    await plain.stop();
  }
});

test('the Grafana face answers on its own listener; its /api on the Moonraker listener is the upstream\'s', async () => {
  const g = await startGateway();
  try {
    const basic = 'Basic ' + Buffer.from('admin:admin-pw-for-gateway-tests').toString('base64');
    const org = await fetch(`${g.grafanaBase}/api/org`, { headers: { authorization: basic } });
    assert.equal(org.status, 200);
    assert.equal(((await org.json()) as any).name, 'Main Org.');
    const fwd = await g.s.req('GET', '/api/version', { headers: { 'x-api-key': g.s.apiKey() } });
    assert.equal(fwd.status, 404);
    assert.equal(g.up.requests[0]!.url, '/api/version');
  } finally {
    await g.stop();
  }
});

test('CORS: a preflight is answered by gatehouse (it carries no credential) and never forwarded; an allowed origin is named on forwarded answers', async () => {
  const g = await startGateway({ authorization: { cors_domains: ['http://mainsail.local'] } });
  try {
    const pre = await g.s.req('OPTIONS', '/server/files/upload', { headers: { origin: 'http://mainsail.local', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-api-key' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'http://mainsail.local');
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /X-Api-Key/);
    const other = await g.s.req('OPTIONS', '/server/info', { headers: { origin: 'http://evil.example', 'access-control-request-method': 'GET' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    const r = await g.s.req('GET', '/server/info', { headers: { origin: 'http://mainsail.local', 'x-api-key': g.s.apiKey() } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), 'http://mainsail.local');
    assert.deepEqual(g.up.requests.map((x) => x.method), ['GET']);
  } finally {
    await g.stop();
  }
});

test('gateway mode, an unauthenticated websocket: access.* answered by gatehouse, nothing opened upstream (test/gateway/websocket.test.ts covers the forwarding)', async () => {
  const { WebSocket } = await import('ws');
  const g = await startGateway();
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${g.s.port}/websocket`);
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'access.info', id: 1 }));
    const m = await new Promise<any>((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d)))));
    assert.deepEqual([m.id, m.result.default_source], [1, 'moonraker']);
    ws.close();
    assert.deepEqual([g.up.sockets.length, g.up.requests.length], [0, 0]);
  } finally {
    await g.stop();
  }
});

// HTTP hygiene: CORS only for configured origins, security headers on every
// response, no stack traces or internal paths in error bodies, WWW-Authenticate
// on 401 (Moonraker face: Bearer realm="gatehouse"; Moonraker itself sends none).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startGatehouse, type Running } from '../helpers/server.js';
import { bearer, createUser } from './helpers.js';

let s: Running;
let plain: Running;

before(async () => {
  s = await startGatehouse({ gatehouse: { max_body_bytes: 2048 }, authorization: { cors_domains: ['http://*.example.com', 'https://app.example.org', 'http://printer.local:8080'], trusted_clients: ['192.168.50.0/24'], oneshot_rate_per_minute: 1 } });
  plain = await startGatehouse(); // no cors_domains at all
});
after(async () => {
  await s.stop();
  await plain.stop();
});

const preflight = (srv: Running, origin: string, path = '/access/login') =>
  srv.req('OPTIONS', path, { headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' } });

describe('CORS (cors_domains)', () => {
  const allowed = ['http://a.example.com', 'http://deep.sub.example.com', 'https://app.example.org', 'http://printer.local:8080', 'http://192.168.50.7', 'http://192.168.50.7:81'];
  const refused = [
    'http://example.com.evil.net', 'http://evilexample.com', 'http://a.example.com.evil.net', 'https://a.example.com',
    'http://app.example.org', 'https://app.example.org.evil.net', 'https://evil-app.example.org', 'http://printer.local',
    'http://printer.local:8081', 'null', 'http://192.168.51.7', 'http://localhost', 'file://', 'http://a.example.com\r\nX-Injected: 1',
  ];

  test('differs from Moonraker: allowed origins get Access-Control-Allow-Origin echoed, with Vary: Origin (Moonraker sends no Vary)', async () => {
    for (const origin of allowed) {
      const r = await s.req('GET', '/access/info', { headers: { origin } });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('access-control-allow-origin'), origin, origin);
      assert.match(r.headers.get('vary') ?? '', /Origin/);
    }
  });

  test('refused origins get no CORS headers (and the request itself is not affected)', async () => {
    for (const origin of refused) {
      let r;
      try {
        r = await s.req('GET', '/access/info', { headers: { origin } });
      } catch {
        continue; // fetch refuses to send a header with CR/LF: nothing to check
      }
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('access-control-allow-origin'), null, origin);
      assert.equal(r.headers.get('access-control-allow-methods'), null, origin);
    }
  });

  test('a CR/LF-laden Origin sent raw cannot inject a header', async () => {
    const raw = await rawRequest(s, 'GET /access/info HTTP/1.1\r\nHost: x\r\nOrigin: http://a.example.com\rX-Injected: 1\r\nConnection: close\r\n\r\n');
    assert.doesNotMatch(raw, /^X-Injected/im);
  });

  test('preflight from an allowed origin: 204 with the allowed methods and headers', async () => {
    for (const origin of allowed.slice(0, 3)) {
      const r = await preflight(s, origin);
      assert.equal(r.status, 204);
      assert.equal(r.headers.get('access-control-allow-origin'), origin);
      assert.match(r.headers.get('access-control-allow-methods') ?? '', /POST/);
      assert.match(r.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    }
  });

  test('preflight from a refused origin: no CORS headers, a JSON 405', async () => {
    for (const origin of refused.slice(0, 6)) {
      const r = await preflight(s, origin);
      assert.notEqual(r.status, 204);
      assert.equal(r.headers.get('access-control-allow-origin'), null);
      assert.equal(r.headers.get('access-control-allow-methods'), null);
      assert.ok(r.json?.error, r.text);
    }
  });

  test('with no cors_domains configured, no origin is ever allowed', async () => {
    for (const origin of [...allowed, 'http://127.0.0.1']) {
      assert.equal((await plain.req('GET', '/access/info', { headers: { origin } })).headers.get('access-control-allow-origin'), null);
      assert.equal((await preflight(plain, origin)).headers.get('access-control-allow-origin'), null);
    }
  });
});

/** Sends raw bytes and returns everything the server answers before closing. */
function rawRequest(srv: Running, data: string): Promise<string> {
  return new Promise((ok, fail) => {
    const sock = net.connect(srv.port, '127.0.0.1', () => sock.write(data));
    let out = '';
    sock.setTimeout(5000, () => sock.destroy());
    sock.on('data', (c) => { out += c; });
    sock.on('close', () => ok(out));
    sock.on('error', fail);
  });
}

const SECURITY_HEADERS: Record<string, RegExp> = {
  'x-content-type-options': /^nosniff$/,
  'x-frame-options': /^DENY$/,
  'referrer-policy': /^no-referrer$/,
  'cache-control': /no-store/,
  'content-security-policy': /default-src 'none'/,
};

/** A spread of responses: every status the face produces. */
async function everyKindOfResponse(srv: Running) {
  const u = await createUser(srv, `hdr${Math.random().toString(36).slice(2, 8)}`, 'header-pw');
  return {
    '200 info': await srv.req('GET', '/access/info'),
    '200 authed': await srv.req('GET', '/access/user', { headers: bearer(u.token) }),
    '204 preflight': await preflight(srv, 'http://a.example.com'),
    '400 bad json': await srv.req('POST', '/access/login', { raw: '{"username":', headers: { 'content-type': 'application/json' } }),
    '400 wrong password': await srv.req('POST', '/access/login', { body: { username: u.username, password: 'nope' } }),
    '401 no credentials': await srv.req('GET', '/access/user'),
    '401 bad token': await srv.req('GET', '/access/user', { headers: bearer('garbage') }),
    '404 unknown path': await srv.req('GET', '/nope/../../etc/passwd'),
    '405 wrong method': await srv.req('PUT', '/access/login'),
    '413 big body': await srv.req('POST', '/access/login', { raw: JSON.stringify({ username: 'x', password: 'y'.repeat(5000) }), headers: { 'content-type': 'application/json' } }),
    '413 big body on unknown path': await srv.req('POST', '/nope', { raw: 'y'.repeat(5000), headers: { 'content-type': 'application/json' } }),
    '429 oneshot rate': await (async () => {
      await srv.req('GET', '/access/oneshot_token', { headers: bearer(u.token) });
      return srv.req('GET', '/access/oneshot_token', { headers: bearer(u.token) });
    })(),
  };
}

describe('responses', () => {
  let responses: Awaited<ReturnType<typeof everyKindOfResponse>>;
  before(async () => { responses = await everyKindOfResponse(s); });

  test('differs from Moonraker: every response carries the security headers (Moonraker sends none of them)', () => {
    for (const [what, r] of Object.entries(responses)) {
      assert.equal(r.status, Number(what.slice(0, 3)), `${what}: ${r.status} ${r.text}`);
      for (const [h, re] of Object.entries(SECURITY_HEADERS)) assert.match(r.headers.get(h) ?? '', re, `${what}: ${h}`);
    }
  });

  test('differs from Moonraker: every error is a JSON body in the Moonraker envelope with only code and message, no traceback or internal path (Moonraker adds a traceback)', () => {
    for (const [what, r] of Object.entries(responses)) {
      if (r.status < 400) continue;
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/, what);
      assert.equal(typeof r.json?.error?.message, 'string', `${what}: ${r.text}`);
      assert.deepEqual(Object.keys(r.json.error), ['code', 'message'], what);
      assert.equal(r.json.error.code, r.status, what);
      assertNoInternals(r.text, what);
    }
  });

  test('differs from Moonraker: 401s carry WWW-Authenticate: Bearer realm="gatehouse" (error="invalid_token" for a bad token), 405s an Allow header (Moonraker sends neither)', () => {
    assert.match(responses['405 wrong method'].headers.get('allow') ?? '', /^POST$/);
    assert.equal(responses['401 no credentials'].headers.get('www-authenticate'), 'Bearer realm="gatehouse"');
    assert.equal(responses['401 bad token'].headers.get('www-authenticate'), 'Bearer realm="gatehouse", error="invalid_token"');
    for (const [what, r] of Object.entries(responses)) if (r.status !== 401) assert.equal(r.headers.get('www-authenticate'), null, what);
  });
});

export function assertNoInternals(text: string, what: string) {
  for (const re of [/\bat .+\(.*:\d+:\d+\)/, /\/work\//, /node_modules/, /\.ts:\d+/, /\.js:\d+/, /"stack"/, /Error: /, /FST_/, /SQLITE/, /sqlite/i, /kysely/i]) {
    assert.doesNotMatch(text, re, `${what}: ${text}`);
  }
}

test('odd requests (bad encodings, NUL bytes, traversal, odd methods) get a clean JSON answer, never a 5xx', async () => {
  const cases: [string, string][] = [
    ['GET', '/access/%E0%A4%A'],
    ['GET', '/access/info?x=%'],
    ['GET', '/access/user?access_token=%ff%fe'],
    ['GET', '/access/%00'],
    ['GET', '/access/..%2f..%2fetc%2fpasswd'],
    ['GET', '//access//info'],
    ['DELETE', '/access/login'],
    ['PATCH', '/access/user'],
    ['POST', '/access/user?username[]=a&username[]=b'],
  ];
  for (const [method, path] of cases) {
    const raw = await rawRequest(s, `${method} ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
    assert.ok(status < 500, `${method} ${path}: ${raw}`);
    assertNoInternals(raw, `${method} ${path}`);
    const [head, body] = raw.split('\r\n\r\n');
    assert.match(head!, /^content-type: application\/json/im, `${method} ${path}`);
    assert.match(head!, /^x-content-type-options: nosniff/im, `${method} ${path}`);
    if (status >= 400) assert.equal(JSON.parse(body!).error.code, status, `${method} ${path}`);
  }
  const garbage = await rawRequest(s, 'GARBAGE\r\n\r\n');
  assert.match(garbage, /^HTTP\/1\.1 400/);
  assertNoInternals(garbage, 'garbage request line');
  assert.equal((await s.req('GET', '/access/info')).status, 200);
});

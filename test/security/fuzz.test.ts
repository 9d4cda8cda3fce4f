// Property-based fuzzing (fast-check) of the Moonraker face: random and malformed
// methods, paths, query strings, headers, bodies and tokens at every route.
// Properties: never a 5xx, every 4xx is a JSON error in the face's envelope, the
// server still answers afterwards, and unauthenticated garbage changes nothing
// in the store. Runs are few by default; GATEHOUSE_FUZZ_RUNS=N for a long run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fc from 'fast-check';
import { startGatehouse, type Running } from '../helpers/server.js';
import { endpoints } from '../../src/faces/moonraker/endpoints/index.js';
import { bearer, createUser, fuzzRuns, fuzzSend, type FuzzResponse, type Login } from './helpers.js';

let s: Running;
let user: Login;
/** Requests sent per property (reported at the end). */
const counts: Record<string, number> = {};

const ROUTES = [...new Set(endpoints.map((e) => e.http.path))];
const METHODS = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'];
const ARG_NAMES = ['username', 'password', 'new_password', 'source', 'refresh_token', 'token', 'access_token', 'connection_id', '_', '__proto__', 'constructor', 'prototype'];

// ---- generators -----------------------------------------------------------

const anyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }), // lone surrogates, control characters
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', 'moonraker', 'ldap', '_API_KEY_USER_', '_TRUSTED_USER_', 'fuzzer', 'null', '{}', '[]', '%', '%00', '../..', 'a'.repeat(300), 'é'.repeat(5000)),
);
const argValue = fc.oneof(anyString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(anyString, { maxLength: 3 }), fc.jsonValue({ maxDepth: 3 }));
const argName = fc.oneof(fc.constantFrom(...ARG_NAMES), fc.string({ maxLength: 12 }));
const args = fc.dictionary(argName, argValue, { maxKeys: 6 });

/** A token-shaped string: garbage, JWT-like segments, or a mutation of a real token. */
const tokenish = fc.oneof(
  anyString,
  fc.tuple(fc.base64String({ maxLength: 60 }), fc.base64String({ maxLength: 200 }), fc.base64String({ maxLength: 90 })).map((p) => p.join('.').replace(/=/g, '')),
  fc.constantFrom('eyJhbGciOiJub25lIn0.eyJ1c2VybmFtZSI6ImZ1enplciJ9.', 'Bearer', 'null', 'undefined'),
);

const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,80}$/);
const headers = fc.record(
  {
    authorization: fc.oneof(tokenish.map((t) => `Bearer ${t}`), headerValue, fc.constantFrom('Bearer ', 'Basic Zm9vOmJhcg==', 'bearer x')),
    'x-api-key': fc.oneof(headerValue, fc.stringMatching(/^[0-9a-f]{32}$/)),
    'x-access-token': tokenish,
    'content-type': fc.constantFrom('application/json', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', '*/*', ''),
    origin: fc.oneof(headerValue, fc.constantFrom('http://evil.example', 'null')),
    'x-forwarded-for': fc.constantFrom('10.0.0.1', '127.0.0.1, 10.0.0.1', 'garbage'),
    cookie: headerValue,
    'content-encoding': fc.constantFrom('gzip', 'br', 'identity'),
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  fc.constant(undefined),
  args.map((a) => JSON.stringify(a)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }), // mostly not JSON
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('{', '{"username":', '[]', 'null', '"str"', '1e999', '{"a":' + '['.repeat(5000), '{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"x":1}}}', '\ufeff{}', '{"username":"a","username":"b"}'),
);

const query = fc.dictionary(argName, fc.oneof(anyString, fc.constantFrom('%', '%zz', '%ff%fe', '+', '&&', '=')), { maxKeys: 5 }).map((q) =>
  Object.entries(q).map(([k, v]) => `${encodeURIComponent(k)}=${/^%|&|=|\+$/.test(v) ? v : encodeURIComponent(v)}`).join('&'));

const path = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...ROUTES) },
  { weight: 1, arbitrary: fc.constantFrom(...ROUTES).chain((r) => fc.constantFrom(r + '/', r.toUpperCase(), r + '/..', r.replace('/access', '/access/.'), r + '%00', r + '%2F', '/' + r)) },
  { weight: 1, arbitrary: fc.webPath() },
);

// ---- checks ---------------------------------------------------------------

/** For requests whose headers are all well-formed: fetch refusing one fails the test. */
async function send(method: string, url: string, h: Record<string, string>, b: string | undefined): Promise<FuzzResponse> {
  const r = await fuzzSend(s.base, method, url, h, b);
  assert.ok(r, `fetch refused to send ${method} ${url}`);
  return r;
}

function checkResponse(method: string, r: FuzzResponse, what: string) {
  assert.ok(r.status < 500, `${what} → ${r.status} ${r.text}`);
  if (r.status >= 400 && method !== 'HEAD') {
    assert.match(r.contentType, /^application\/json/, `${what} → ${r.status} ${r.contentType}`);
    const j = JSON.parse(r.text);
    assert.equal(j.error.code, r.status, `${what} → ${r.text}`);
    assert.equal(typeof j.error.message, 'string');
    assert.doesNotMatch(r.text, /\/work\/|node_modules|\.ts:\d|FST_|SQLITE/, `${what} → ${r.text}`);
  }
}

async function storeSnapshot() {
  const st = s.gh.store;
  return JSON.stringify({
    users: (await st.users.list()).map((u) => [u.id, u.username, u.passwordHash, u.isAdmin]),
    sessions: (await st.sessions.listLive(0)).map((x) => [x.id, x.revokedAt, x.refreshJti]),
    apiKey: await st.settings.get('moonraker_api_key'),
    orgs: await st.orgs.list(),
  });
}

before(async () => {
  s = await startGatehouse({ gatehouse: { max_body_bytes: 16384 }, limits: { login_attempts_per_user: 0, login_attempts_per_ip: 0 } });
  user = await createUser(s, 'fuzzer', 'fuzzer-password');
});

after(async () => {
  await s.stop();
  console.log(`# fuzz cases: ${JSON.stringify(counts)}`);
});

test('unauthenticated garbage at every route and method: no 5xx, JSON 4xx, store unchanged', async () => {
  const before = await storeSnapshot();
  const key = s.apiKey();
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...METHODS), path, query, headers, body, async (method, p, q, h, b) => {
      counts.unauthenticated = (counts.unauthenticated ?? 0) + 1;
      const url = q ? `${p}?${q}` : p;
      const r = await fuzzSend(s.base, method, url, h, b); // random headers: fetch may refuse to send some
      if (r) checkResponse(method, r, `${method} ${url} ${JSON.stringify(h)} ${JSON.stringify(b)?.slice(0, 200)}`);
    }),
    { numRuns: fuzzRuns(200) },
  );
  assert.equal(await storeSnapshot(), before, 'unauthenticated requests changed the store');
  assert.equal(s.apiKey(), key);
  assert.equal((await s.req('GET', '/access/info')).status, 200, 'still answering');
});

test('authenticated (API key) random arguments at every endpoint: no 5xx, JSON 4xx', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...endpoints), args, fc.boolean(), async (ep, a, inQuery) => {
      counts.authenticated = (counts.authenticated ?? 0) + 1;
      if (ep.http.path === '/access/user' && ep.http.method === 'DELETE' && a.username === 'fuzzer') delete a.username;
      const h: Record<string, string> = { 'x-api-key': s.apiKey(), 'content-type': 'application/json' };
      let url = ep.http.path;
      let b: string | undefined = JSON.stringify(a);
      if (inQuery || ep.http.method === 'GET') {
        const q = Object.entries(a).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v) ?? '')}`).join('&');
        url = q ? `${url}?${q}` : url;
        b = undefined;
      }
      const r = await send(ep.http.method, url, h, b);
      checkResponse(ep.http.method, r, `${ep.http.method} ${url} ${b?.slice(0, 200)}`);
    }),
    { numRuns: fuzzRuns(150) },
  );
  assert.equal((await s.req('GET', '/access/info')).status, 200);
});

test('mutations of a real access token are never accepted (not even a re-spelling of its signature)', async () => {
  const real = user.token;
  let accepted = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.nat({ max: real.length - 1 }), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ')), { minLength: 1, maxLength: 4 }),
      fc.constantFrom('flip', 'truncate', 'extend', 'swap-segments'),
      async (edits, how) => {
        counts.tokenMutations = (counts.tokenMutations ?? 0) + 1;
        let t = real;
        if (how === 'flip') for (const [i, c] of edits) t = t.slice(0, i) + c + t.slice(i + 1);
        else if (how === 'truncate') t = t.slice(0, edits[0]![0]);
        else if (how === 'extend') t = t + edits.map((e) => e[1]).join('');
        else { const [h, p, sig] = t.split('.'); t = [p, h, sig].join('.'); }
        const r = await send('GET', '/access/user', bearer(t), undefined);
        // HTTP drops whitespace around a header value (RFC 9110 §5.5): a trailing space presents the same token.
        if (t.trim() === real) return;
        // Not even a spelling of the same signature with other spare base64url bits is accepted.
        if (r.status === 200) accepted++;
        assert.equal(r.status, 401, `${t} → ${r.status} ${r.text}`);
      },
    ),
    { numRuns: fuzzRuns(150) },
  );
  assert.equal(accepted, 0);
});

test('raw malformed HTTP over TCP never crashes the server', async () => {
  const lines = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.tuple(fc.constantFrom('GET', 'POST', 'G\u0000T', 'DELETE', ''), fc.constantFrom(...ROUTES, '*', '', 'http://x/access/info'), fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', ''),
      fc.array(fc.tuple(fc.stringMatching(/^[A-Za-z-]{0,20}$/), fc.string({ unit: 'binary', maxLength: 60 })), { maxLength: 6 }), fc.string({ maxLength: 100 }))
      .map(([m, p, v, hs, b]) => `${m} ${p} ${v}\r\n${hs.map(([k, x]) => `${k}: ${x}`).join('\r\n')}\r\n\r\n${b}`),
    fc.constantFrom('GET /access/info HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
      'POST /access/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
      'POST /access/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n',
      'GET /access/info HTTP/1.1\r\nHost: x\r\n Folded: header\r\n\r\n'),
  );
  await fc.assert(
    fc.asyncProperty(lines, async (data) => {
      counts.rawTcp = (counts.rawTcp ?? 0) + 1;
      const reply = await new Promise<string>((ok) => {
        const sock = net.connect(s.port, '127.0.0.1', () => sock.end(Buffer.from(data, 'latin1')));
        let out = '';
        sock.setTimeout(2000, () => sock.destroy());
        sock.on('data', (c) => { out += c; });
        sock.on('close', () => ok(out));
        sock.on('error', () => ok(out));
      });
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1] ?? 0);
      assert.ok(status < 500, `${JSON.stringify(data)} → ${reply.slice(0, 300)}`);
    }),
    { numRuns: fuzzRuns(100) },
  );
  assert.equal((await s.req('GET', '/access/info')).status, 200, 'still answering');
});

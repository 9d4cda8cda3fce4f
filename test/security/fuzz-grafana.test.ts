// Property-based fuzzing (fast-check) of the Grafana face: every /api route plus
// /login and /logout, with random methods, path parameters, query strings,
// credentials (basic, bearer keys, api_key:, session cookies), org headers and
// bodies. Never a 5xx; every error is Grafana's JSON `{message}`; the server keeps
// answering; unauthenticated garbage changes no account, key, org or session.
// GATEHOUSE_FUZZ_RUNS=N for a long run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startGatehouse, type Running } from '../helpers/server.js';
import { routes } from '../../src/faces/grafana/endpoints/index.js';
import { fuzzRuns, fuzzSend, type FuzzResponse } from './helpers.js';

const ADMIN_PW = 'fuzz-grafana-admin';
let s: Running;
let adminKey: string;
let adminCookie: string;
const counts: Record<string, number> = {};

const anyString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('', '0', '-1', '1', '2', '9223372036854775808', '1e3', 'admin', 'Admin', 'Viewer', 'None', 'Editor', 'null', '%', '../..', 'a'.repeat(300)),
);
const pathParam = fc.oneof(fc.integer({ min: -2, max: 1000 }).map(String), anyString.map(encodeURIComponent));
const jsonish = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(fc.constantFrom('name', 'role', 'secondsToLive', 'loginOrEmail', 'isDisabled', 'user', 'password', '__proto__'), fc.oneof(anyString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 })), { maxKeys: 5 }));
const body = fc.oneof(
  fc.constant(undefined),
  jsonish.map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 100 }),
  fc.constantFrom('{', '[]', 'null', '{"name":"x","role":"Admin","secondsToLive":1e400}', '{"secondsToLive":9007199254740993}', '{"name":"' + 'n'.repeat(200) + '","role":"Viewer"}'),
);
const header = fc.stringMatching(/^[\x20-\x7e]{0,60}$/);
const b64 = (s: string) => Buffer.from(s).toString('base64');
const credentials = fc.oneof(
  fc.constant({}),
  fc.tuple(anyString, anyString).map(([u, p]) => ({ authorization: `Basic ${b64(`${u}:${p}`)}` })),
  fc.tuple(fc.constantFrom('admin', 'api_key', 'Admin'), header).map(([u, p]) => ({ authorization: `Basic ${b64(`${u}:${p}`)}` })),
  header.map((h) => ({ authorization: `Bearer ${h}` })),
  fc.stringMatching(/^[A-Za-z0-9]{32}$/).map((k) => ({ authorization: `Bearer glsa_${k}_deadbeef` })),
  jsonish.map((v) => ({ authorization: `Bearer ${b64(JSON.stringify(v))}` })),
  header.map((h) => ({ cookie: `grafana_session=${h}` })),
  header.map((h) => ({ authorization: h })),
);
const extraHeaders = fc.record({
  'x-grafana-org-id': fc.oneof(header, fc.integer({ min: -5, max: 5 }).map(String)),
  'content-type': fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', ''),
}, { requiredKeys: [] });
const query = fc.dictionary(fc.constantFrom('targetOrgId', 'query', 'perpage', 'page', 'includeExpired', 'disabled', fc.sample(fc.string(), 1)[0]!), anyString, { maxKeys: 4 })
  .map((q) => Object.entries(q).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));

const target = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...routes).chain((r) => fc.tuple(fc.constant(r.method as string), fc.array(pathParam, { minLength: 3, maxLength: 3 })).map(([m, ps]) => {
    let i = 0;
    return [m, r.url.replace(/:[A-Za-z]+/g, () => ps[i++]!)] as const;
  })) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('POST', 'GET', 'PUT'), fc.constantFrom('/login', '/logout', '/api', '/api/', '/api/org/', '/api/auth/keys/x/y', '/api/serviceaccounts/search')) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'), fc.webPath().map((p) => '/api' + p)) },
);

const send = (method: string, url: string, headers: Record<string, string>, b: string | undefined) => fuzzSend(s.base, method, url, headers, b);

/** Every answer: below 500 (Grafana's own org-user 500s are 404s here), and a JSON error body. */

function check(method: string, r: FuzzResponse, what: string) {
  assert.ok(r.status < 500, `${what} → ${r.status} ${r.text}`);
  if (r.status >= 400 && method !== 'HEAD') {
    assert.match(r.contentType, /^application\/json/, `${what} → ${r.status} ${r.contentType}`);
    const j = JSON.parse(r.text);
    assert.equal(typeof (j.message ?? j.error?.message), 'string', `${what} → ${r.text}`);
    assert.doesNotMatch(r.text, /\/work\/|node_modules|\.ts:\d|FST_|SQLITE/, `${what} → ${r.text}`);
  }
}

async function snapshot() {
  const st = s.gh.store;
  const users = await st.users.list();
  return JSON.stringify({
    users: users.map((u) => [u.id, u.username, u.passwordHash, u.isAdmin, u.isDisabled, u.orgId]),
    keys: (await st.apiKeys.listAll()).map((k) => [k.id, k.hash, k.isRevoked, k.expiresAt, k.role]),
    orgs: await st.orgs.list(),
    members: await Promise.all(users.map((u) => st.orgs.membershipsOfUser(u.id))),
  });
}

before(async () => {
  s = await startGatehouse({ gatehouse: { grafana_enabled: true, max_body_bytes: 16384 }, security: { admin_password: ADMIN_PW } } as any);
  const basicAdmin = { authorization: `Basic ${b64(`admin:${ADMIN_PW}`)}` };
  const k = await s.req('POST', '/api/auth/keys', { headers: basicAdmin, body: { name: 'fuzz-admin', role: 'Admin' } });
  assert.equal(k.status, 200, k.text);
  adminKey = k.json.key;
  const l = await s.req('POST', '/login', { body: { user: 'admin', password: ADMIN_PW } });
  assert.equal(l.status, 200, l.text);
  adminCookie = l.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
});

after(async () => {
  await s.stop();
  console.log(`# grafana fuzz cases: ${JSON.stringify(counts)}`);
});

test('Grafana face, unauthenticated garbage: no 5xx, {message} JSON errors, store unchanged', async () => {
  const before = await snapshot();
  await fc.assert(
    fc.asyncProperty(target, query, credentials, extraHeaders, body, async ([method, path], q, cred, extra, b) => {
      counts.unauthenticated = (counts.unauthenticated ?? 0) + 1;
      const url = q ? `${path}?${q}` : path;
      const headers = { ...extra, ...cred } as Record<string, string>;
      const r = await send(method, url, headers, b);
      if (r) check(method, r, `${method} ${url} ${JSON.stringify(headers)} ${b?.slice(0, 200)}`);
    }),
    { numRuns: fuzzRuns(150) },
  );
  assert.equal(await snapshot(), before, 'unauthenticated requests changed the store');
  assert.equal((await s.req('GET', '/api/org', { headers: { authorization: `Bearer ${adminKey}` } })).status, 200, 'still answering');
});

test('Grafana face, authenticated (admin key or admin session) random requests: no 5xx, {message} JSON errors', async () => {
  await fc.assert(
    fc.asyncProperty(target, query, fc.boolean(), extraHeaders, body, async ([method, path], q, useCookie, extra, b) => {
      counts.authenticated = (counts.authenticated ?? 0) + 1;
      const url = q ? `${path}?${q}` : path;
      const headers = { ...extra, ...(useCookie ? { cookie: adminCookie } : { authorization: `Bearer ${adminKey}` }) } as Record<string, string>;
      if (path === '/logout') return; // would end the session the property uses
      const r = await send(method, url, headers, b);
      if (r) check(method, r, `${method} ${url} ${JSON.stringify(headers)} ${b?.slice(0, 200)}`);
    }),
    { numRuns: fuzzRuns(150) },
  );
  assert.equal((await s.req('GET', '/api/login/ping')).status < 500, true);
});

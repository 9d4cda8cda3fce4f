// Issue 22, point 1: GET /api/users, /api/users/search, /api/users/:id,
// /api/users/lookup, PUT /api/users/:id, GET /api/users/:id/orgs — Grafana 10.4's
// behaviour as docs/notes/grafana-admin-api.md §2 gives it. Server admins only.
// Written before the routes existed (as todo tests); they all run now.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Running } from '../helpers/server.js';
import { admin, assertDenied, basic, mkOrg, startGrafana } from './helpers.js';
import { assertServerAdminOnly, mkCallers, type Callers } from './callers.js';

const TODO = {};
const HIT_FIELDS = ['id', 'name', 'login', 'email', 'avatarUrl', 'isAdmin', 'isDisabled', 'lastSeenAt', 'lastSeenAtAge', 'authLabels'];
const PROFILE_FIELDS = ['id', 'uid', 'email', 'name', 'login', 'theme', 'orgId', 'isGrafanaAdmin', 'isDisabled', 'isExternal', 'authLabels', 'updatedAt', 'createdAt', 'avatarUrl'];

let s: Running;
let c: Callers;

before(async () => {
  s = await startGrafana();
  c = await mkCallers(s, 'u');
});
after(() => s.stop());

/** Creates an account through POST /api/admin/users (itself issue 22); returns its id. */
async function create(login: string, email: string, name: string): Promise<number> {
  const r = await s.req('POST', '/api/admin/users', { headers: admin(), body: { login, email, name, password: `pw-${login}` } });
  assert.equal(r.status, 200, r.text);
  return r.json.id;
}

test('GET /api/users and /api/users/search: server admin only (users:read), 401 without credentials', TODO, async () => {
  for (const path of ['/api/users', '/api/users/search', `/api/users/${c.ids.viewer}`, '/api/users/lookup?loginOrEmail=admin', `/api/users/${c.ids.viewer}/orgs`]) {
    await assertServerAdminOnly(s, c, 'GET', path, 'users:read');
    assert.equal((await s.req('GET', path, { headers: admin() })).status, 200, path);
  }
  await assertServerAdminOnly(s, c, 'PUT', `/api/users/${c.ids.viewer}`, 'users:write', { login: 'u-vic' });
});

test('GET /api/users: an array of hits with Grafana\'s fields, by login; no service accounts; perpage/page; a page past the end is []', TODO, async () => {
  const r = await s.req('GET', '/api/users', { headers: admin() });
  assert.equal(r.status, 200, r.text);
  assert.ok(Array.isArray(r.json), r.text);
  const logins = r.json.map((u: any) => u.login);
  assert.deepEqual(logins, [...logins].sort(), 'ordered by login');
  assert.ok(logins.includes('admin') && logins.includes('u-vic') && logins.includes('u-ann'));
  assert.ok(!logins.some((l: string) => l.startsWith('sa-')), 'service accounts are not users');
  const vic = r.json.find((u: any) => u.login === 'u-vic');
  for (const f of HIT_FIELDS) assert.ok(f in vic, `hit field ${f}: ${JSON.stringify(vic)}`);
  assert.equal(vic.id, c.ids.viewer);
  assert.equal(vic.isAdmin, false);
  assert.equal(vic.isDisabled, false);
  assert.deepEqual(vic.authLabels, []);
  assert.match(vic.avatarUrl, /^\/avatar\/[0-9a-f]{32}$/);
  assert.match(vic.lastSeenAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  assert.equal(typeof vic.lastSeenAtAge, 'string');
  assert.equal(r.json.find((u: any) => u.login === 'admin').isAdmin, true);

  const page1 = (await s.req('GET', '/api/users?perpage=1&page=1', { headers: admin() })).json;
  const page2 = (await s.req('GET', '/api/users?perpage=1&page=2', { headers: admin() })).json;
  assert.deepEqual(page1.map((u: any) => u.login), [logins[0]]);
  assert.deepEqual(page2.map((u: any) => u.login), [logins[1]]);
  // grafana-client's search_users() walks page=1,2,… until a page is empty
  assert.deepEqual((await s.req('GET', '/api/users?perpage=1000&page=2', { headers: admin() })).json, []);
  // page < 1 and a non-number are page 1; perpage <= 0 is 1000
  assert.deepEqual((await s.req('GET', '/api/users?page=0&perpage=0', { headers: admin() })).json.map((u: any) => u.login), logins);
  assert.deepEqual((await s.req('GET', '/api/users?page=x', { headers: admin() })).json.map((u: any) => u.login), logins);
});

test('GET /api/users/search: {totalCount, users, page, perPage}; query matches login, email or name, case-insensitively', TODO, async () => {
  await create('searchable', 'Finder@Example.org', 'Sam Searcher');
  const all = await s.req('GET', '/api/users/search', { headers: admin() });
  assert.equal(all.status, 200, all.text);
  assert.deepEqual(Object.keys(all.json).sort(), ['page', 'perPage', 'totalCount', 'users']);
  assert.equal(all.json.page, 1);
  assert.equal(all.json.perPage, 1000);
  assert.equal(all.json.totalCount, all.json.users.length);
  const one = (await s.req('GET', '/api/users/search?perpage=1&page=2', { headers: admin() })).json;
  assert.equal(one.totalCount, all.json.totalCount, 'totalCount counts every match, not the page');
  assert.equal(one.users.length, 1);
  assert.equal(one.page, 2);
  assert.equal(one.perPage, 1);
  for (const q of ['SEARCHABLE', 'finder@example', 'sam sea']) {
    const r = (await s.req('GET', `/api/users/search?query=${encodeURIComponent(q)}`, { headers: admin() })).json;
    assert.deepEqual(r.users.map((u: any) => u.login), ['searchable'], q);
    assert.equal(r.totalCount, 1);
  }
  const none = (await s.req('GET', '/api/users/search?query=nobody-like-this', { headers: admin() })).json;
  assert.deepEqual(none, { totalCount: 0, users: [], page: 1, perPage: 1000 });
});

test('sort=: login, email, name, lastSeenAtAge ascending or descending; an unknown option is a 400', TODO, async () => {
  await create('zed-sort', 'aaa-sort@example.org', 'Mmm Sort');
  await create('aaa-sort', 'zzz-sort@example.org', 'Bbb Sort');
  const order = async (sort: string) =>
    (await s.req('GET', `/api/users/search?query=-sort&sort=${sort}`, { headers: admin() })).json.users.map((u: any) => u.login);
  assert.deepEqual(await order('login-asc'), ['aaa-sort', 'zed-sort']);
  assert.deepEqual(await order('login-desc'), ['zed-sort', 'aaa-sort']);
  assert.deepEqual(await order('email-asc'), ['zed-sort', 'aaa-sort']);
  assert.deepEqual(await order('email-desc'), ['aaa-sort', 'zed-sort']);
  assert.deepEqual(await order('name-asc'), ['aaa-sort', 'zed-sort']);
  assert.deepEqual(await order('name-desc'), ['zed-sort', 'aaa-sort']);
  // Grafana's sortopts: ErrorUnknownSortingOption is errutil BadRequest (10.x handlers without
  // ErrOrFallback answered 500; the note recommends 400). Only the status and a message are pinned.
  const bad = await s.req('GET', '/api/users/search?sort=shoe-size-asc', { headers: admin() });
  assert.equal(bad.status, 400, bad.text);
  assert.equal(typeof bad.json.message, 'string');
});

test('GET /api/users/:id: the profile GET /api/user answers; bad id 400; unknown or a service account 404 "user not found"', TODO, async () => {
  const r = await s.req('GET', `/api/users/${c.ids.viewer}`, { headers: admin() });
  assert.equal(r.status, 200, r.text);
  for (const f of PROFILE_FIELDS) assert.ok(f in r.json, `profile field ${f}: ${r.text}`);
  const own = (await s.req('GET', '/api/user', { headers: c.viewer })).json;
  assert.deepEqual({ ...r.json, updatedAt: own.updatedAt }, own, 'the same profile the user sees of itself');
  assert.equal(r.json.login, 'u-vic');
  assert.equal(r.json.isGrafanaAdmin, false);
  assert.ok(!('accessControl' in r.json));
  assert.equal(typeof (await s.req('GET', `/api/users/${c.ids.viewer}?accesscontrol=true`, { headers: admin() })).json.accessControl, 'object');
  const bad = await s.req('GET', '/api/users/abc', { headers: admin() });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.json, { message: 'id is invalid' });
  for (const id of [987654, c.ids.serviceAccount]) {
    const nf = await s.req('GET', `/api/users/${id}`, { headers: admin() });
    assert.equal(nf.status, 404, nf.text);
    assert.deepEqual(nf.json, { message: 'user not found' });
  }
});

test('GET /api/users/lookup?loginOrEmail=: by login or by email, case-insensitively; empty or unknown 404 "user not found"', TODO, async () => {
  const id = await create('looked', 'Looked.Up@example.org', 'Luke Up');
  for (const q of ['looked', 'LOOKED', 'looked.up@example.org', 'Looked.Up@Example.org']) {
    const r = await s.req('GET', `/api/users/lookup?loginOrEmail=${encodeURIComponent(q)}`, { headers: admin() });
    assert.equal(r.status, 200, `${q}: ${r.text}`);
    assert.equal(r.json.id, id);
    assert.equal(r.json.login, 'looked');
    assert.equal(r.json.name, 'Luke Up');
    assert.equal(r.json.isGrafanaAdmin, false);
    assert.match(r.json.createdAt, /^\d{4}-\d\d-\d\dT/);
  }
  for (const q of ['', 'nobody', 'nobody@example.org']) {
    const r = await s.req('GET', `/api/users/lookup?loginOrEmail=${encodeURIComponent(q)}`, { headers: admin() });
    assert.equal(r.status, 404, `${q}: ${r.text}`);
    assert.deepEqual(r.json, { message: 'user not found' });
  }
  assert.equal((await s.req('GET', '/api/users/lookup', { headers: admin() })).status, 404);
  assert.equal((await s.req('GET', '/api/users/lookup?loginOrEmail=sa-u-robot', { headers: admin() })).status, 404, 'not a service account');
});

test('PUT /api/users/:id: name, email, login; fields not sent are kept; conflicts 409; neither login nor email 400; bad and unknown ids', TODO, async () => {
  const id = await create('editable', 'edit@example.org', 'Ed Itable');
  const put = (body: unknown, who: Record<string, string> = admin(), target: unknown = id) => s.req('PUT', `/api/users/${target}`, { headers: who, body });
  const ok = await put({ name: 'Edith', email: 'edith@example.org', login: 'edith' });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json, { message: 'User updated' });
  let p = (await s.req('GET', `/api/users/${id}`, { headers: admin() })).json;
  assert.deepEqual([p.name, p.email, p.login], ['Edith', 'edith@example.org', 'edith']);
  // the new login signs in at once, the old one no longer does
  assert.equal((await s.req('GET', '/api/user', { headers: basic('edith', 'pw-editable') })).status, 200);
  assert.equal((await s.req('GET', '/api/user', { headers: basic('editable', 'pw-editable') })).status, 401);
  // xorm updates non-empty fields only: a field not sent (or sent empty) is kept
  assert.equal((await put({ login: 'edith2' })).status, 200);
  p = (await s.req('GET', `/api/users/${id}`, { headers: admin() })).json;
  assert.deepEqual([p.name, p.email, p.login], ['Edith', 'edith@example.org', 'edith2']);
  // login empty: the email becomes the login; both empty: 400
  const neither = await put({ name: 'Nobody' });
  assert.equal(neither.status, 400, neither.text);
  assert.equal(typeof neither.json.message, 'string'); // errutil user.empty-username-and-email; public message not read from source
  // another account's login or email, in any case: 409
  for (const body of [{ login: 'U-VIC' }, { login: 'edith2', email: 'ADMIN@localhost' }]) {
    const dup = await put(body);
    assert.equal(dup.status, 409, `${JSON.stringify(body)}: ${dup.text}`);
    assert.deepEqual(dup.json, { message: 'Update would result in user login conflict' });
  }
  assert.deepEqual((await s.req('PUT', `/api/users/${id}`, { headers: { ...admin(), 'content-type': 'application/json' }, raw: '{nope' })).json, { message: 'bad request data' });
  assert.deepEqual((await put({ login: 'x' }, admin(), 'abc')).json, { message: 'id is invalid' });
  // Grafana answers 200 "User updated" for an id that matches no row; gatehouse answers 404 (note §8.2)
  const unknown = await put({ login: 'ghost' }, admin(), 987654);
  assert.equal(unknown.status, 404, unknown.text);
  assert.deepEqual(unknown.json, { message: 'user not found' });
  assertDenied(await put({ login: 'hijack' }, c.orgAdmin), 'users:write');
});

test('GET /api/users/:id/orgs: the account\'s orgs and roles, by org name; an unknown account has none; bad id 400', TODO, async () => {
  const other = await mkOrg(s, 'Zulu Org');
  try {
    const r = await s.req('POST', `/api/orgs/${other}/users`, { headers: admin(), body: { loginOrEmail: 'u-vic', role: 'Editor' } });
    assert.equal(r.status, 200, r.text);
    const orgs = await s.req('GET', `/api/users/${c.ids.viewer}/orgs`, { headers: admin() });
    assert.equal(orgs.status, 200, orgs.text);
    assert.deepEqual(orgs.json, [{ orgId: 1, name: 'Main Org.', role: 'Viewer' }, { orgId: other, name: 'Zulu Org', role: 'Editor' }]);
    assert.deepEqual((await s.req('GET', `/api/users/${c.ids.serverAdmin}/orgs`, { headers: admin() })).json.map((o: any) => [o.orgId, o.role]), [[1, 'Admin'], [other, 'Admin']]);
    const none = await s.req('GET', '/api/users/987654/orgs', { headers: admin() });
    assert.equal(none.status, 200, 'Grafana lists no orgs for an unknown account');
    assert.deepEqual(none.json, []);
    assert.deepEqual((await s.req('GET', '/api/users/x/orgs', { headers: admin() })).json, { message: 'id is invalid' });
  } finally {
    await s.req('DELETE', `/api/orgs/${other}`, { headers: admin() });
  }
});

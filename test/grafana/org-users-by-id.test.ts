// Issue 22, point 5: GET/POST /api/orgs/:orgId/users, PATCH/DELETE
// /api/orgs/:orgId/users/:userId (the per-org twins of /api/org/users) and
// GET /api/orgs/name/:name, as docs/notes/grafana-admin-api.md §1 and §6 give them.
// Grafana checks the per-org routes' permissions *in :orgId*: a server admin may
// act on any org, the org's own Admin (user, API key, SA token) on that org only.
// Written before the routes existed (as todo tests); they all run now.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Running } from '../helpers/server.js';
import { addToOrg, admin, assertDenied, basic, errutil, mkKey, mkOrg, mkUser, startGrafana } from './helpers.js';
import { mkCallers, mkSaToken, type Callers } from './callers.js';

const TODO = {};
const ADDRESS = { address1: '', address2: '', city: '', zipCode: '', state: '', country: '' };

let s: Running;
let c: Callers;
let other: number; // "Other Org": the server admin is its only Admin; c-ann (Admin of org 1) is not a member

before(async () => {
  s = await startGrafana();
  c = await mkCallers(s, 'o');
  other = await mkOrg(s, 'Other Org');
});
after(() => s.stop());

test('GET /api/orgs/:orgId/users: who may (server admin: any org; the org\'s own Admin, key and SA token: that org) and who may not', TODO, async () => {
  const get = (orgId: number, headers: Record<string, string>) => s.req('GET', `/api/orgs/${orgId}/users`, { headers });
  for (const [who, headers] of [['server admin', c.serverAdmin], ['org Admin of org 1', c.orgAdmin], ['Admin API key of org 1', c.apiKey], ['Admin SA token of org 1', c.saToken]] as const) {
    const r = await get(1, headers);
    assert.equal(r.status, 200, `${who}: ${r.text}`);
  }
  assert.equal((await get(other, c.serverAdmin)).status, 200);
  assertDenied(await get(1, c.viewer), 'org.users:read');
  assertDenied(await get(other, c.orgAdmin), 'org.users:read');
  for (const [who, headers] of [['API key of org 1', c.apiKey], ['SA token of org 1', c.saToken]] as const) {
    const r = await get(other, headers);
    assert.equal(r.status, 403, `${who} on another org: ${r.text}`);
  }
  // a server admin who is no member of the org
  const lone = await mkOrg(s, 'Lonely Org');
  const root = await mkUser(s, 'o-root');
  await s.req('PUT', `/api/admin/users/${root}/permissions`, { headers: admin(), body: { isGrafanaAdmin: true } });
  assert.equal((await get(lone, basic('o-root', 'pw-o-root'))).status, 200, 'server admin, not a member');
  const anon = await s.req('GET', '/api/orgs/1/users');
  assert.equal(anon.status, 401);
  assert.deepEqual(anon.json, errutil('Unauthorized', 'auth.unauthorized', 401));
  assert.deepEqual((await s.req('GET', '/api/orgs/abc/users', { headers: admin() })).json, { message: 'orgId is invalid' });
  await s.req('DELETE', `/api/orgs/${lone}`, { headers: admin() });
});

test('GET /api/orgs/:orgId/users answers what GET /api/org/users answers in that org; it ignores query and limit', TODO, async () => {
  const viaCurrent = await s.req('GET', '/api/org/users', { headers: { ...admin(), 'x-grafana-org-id': String(other) } });
  const viaId = await s.req('GET', `/api/orgs/${other}/users`, { headers: admin() });
  assert.equal(viaId.status, 200, viaId.text);
  const strip = (list: any[]) => list.map(({ lastSeenAt: _a, lastSeenAtAge: _b, ...u }) => u);
  assert.deepEqual(strip(viaId.json), strip(viaCurrent.json));
  assert.deepEqual(viaId.json.map((u: any) => u.login), ['admin']);
  const all = (await s.req('GET', '/api/orgs/1/users', { headers: admin() })).json.length;
  assert.ok(all >= 3);
  assert.equal((await s.req('GET', '/api/orgs/1/users?query=o-vic&limit=1', { headers: admin() })).json.length, all, 'query and limit are the current-org route\'s only');
  assert.ok(!(await s.req('GET', '/api/orgs/1/users', { headers: admin() })).json.some((u: any) => u.login.startsWith('sa-')), 'no service accounts');
});

test('POST /api/orgs/:orgId/users: add by login or email with a role; 409 already a member; 404 unknown user; 400 bad role, bad data, bad orgId', TODO, async () => {
  const org = await mkOrg(s, 'Add Org');
  try {
    const post = (body: unknown, headers: Record<string, string> = admin(), orgId: unknown = org) => s.req('POST', `/api/orgs/${orgId}/users`, { headers, body });
    const ok = await post({ loginOrEmail: 'O-VIC', role: 'Editor' });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json, { message: 'User added to organization', userId: c.ids.viewer });
    assert.deepEqual((await s.req('GET', '/api/user/orgs', { headers: c.viewer })).json.find((o: any) => o.orgId === org), { orgId: org, name: 'Add Org', role: 'Editor' });
    const again = await post({ loginOrEmail: 'o-vic', role: 'Viewer' });
    assert.equal(again.status, 409);
    assert.deepEqual(again.json, { message: 'User is already member of this organization', userId: c.ids.viewer });
    const unknown = await post({ loginOrEmail: 'nobody', role: 'Viewer' });
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.json, { message: 'User not found' });
    const badRole = await post({ loginOrEmail: 'o-ann', role: 'Boss' });
    assert.equal(badRole.status, 400);
    assert.deepEqual(badRole.json, { message: 'Invalid role specified' });
    assert.deepEqual((await post({ loginOrEmail: 'o-ann' })).json, { message: 'bad request data' });
    assert.deepEqual((await post({ loginOrEmail: 'o-ann', role: 'Viewer' }, admin(), 'x')).json, { message: 'orgId is invalid' });
    assertDenied(await post({ loginOrEmail: 'o-ann', role: 'Viewer' }, c.orgAdmin), 'org.users:add');
    assertDenied(await post({ loginOrEmail: 'o-ann', role: 'Viewer' }, c.viewer), 'org.users:add');
    // the org's own Admin may add, as on /api/org/users
    await addToOrg(s, org, 'o-ann', 'Admin');
    const byOrgAdmin = await post({ loginOrEmail: 'admin@localhost', role: 'Viewer' }, c.orgAdmin, 1);
    assert.equal(byOrgAdmin.status, 409, 'org 1: admin is already a member');
  } finally {
    await s.req('DELETE', `/api/orgs/${org}`, { headers: admin() });
  }
});

test('PATCH /api/orgs/:orgId/users/:userId: change a role; last Admin kept; not a member 404; bad ids and role 400', TODO, async () => {
  const org = await mkOrg(s, 'Patch By Id Org');
  try {
    await addToOrg(s, org, 'o-vic', 'Viewer');
    const patch = (userId: unknown, body: unknown, headers: Record<string, string> = admin(), orgId: unknown = org) => s.req('PATCH', `/api/orgs/${orgId}/users/${userId}`, { headers, body });
    const ok = await patch(c.ids.viewer, { role: 'Editor' });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json, { message: 'Organization user updated' });
    assert.equal((await s.req('GET', `/api/orgs/${org}/users`, { headers: admin() })).json.find((u: any) => u.userId === c.ids.viewer).role, 'Editor');
    const last = await patch(c.ids.serverAdmin, { role: 'Viewer' });
    assert.equal(last.status, 400);
    assert.deepEqual(last.json, { message: 'Cannot change role so that there is no organization admin left' });
    const notMember = await patch(c.ids.orgAdmin, { role: 'Viewer' });
    assert.equal(notMember.status, 404, 'Grafana answers 500; gatehouse 404 with the same message, as on /api/org/users');
    assert.deepEqual(notMember.json, { message: 'Failed update org user' });
    assert.deepEqual((await patch(c.ids.viewer, { role: 'Chief' })).json, { message: 'Invalid role specified' });
    assert.deepEqual((await patch('x', { role: 'Viewer' })).json, { message: 'userId is invalid' });
    assert.deepEqual((await patch(c.ids.viewer, { role: 'Viewer' }, admin(), 'x')).json, { message: 'orgId is invalid' });
    assert.deepEqual((await patch(c.ids.viewer, { role: 3 })).json, { message: 'bad request data' });
    assertDenied(await patch(c.ids.viewer, { role: 'Admin' }, c.orgAdmin), 'org.users:write');
  } finally {
    await s.req('DELETE', `/api/orgs/${org}`, { headers: admin() });
  }
});

test('DELETE /api/orgs/:orgId/users/:userId: removes the membership; last Admin kept; never deletes an account left in no org', TODO, async () => {
  const org = await mkOrg(s, 'Remove By Id Org');
  try {
    await addToOrg(s, org, 'o-vic', 'Viewer');
    const del = (userId: unknown, headers: Record<string, string> = admin(), orgId: unknown = org) => s.req('DELETE', `/api/orgs/${orgId}/users/${userId}`, { headers });
    const ok = await del(c.ids.viewer);
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json, { message: 'User removed from organization' });
    assert.ok(!(await s.req('GET', '/api/user/orgs', { headers: c.viewer })).json.some((o: any) => o.orgId === org));
    const again = await del(c.ids.viewer);
    assert.equal(again.status, 404, 'Grafana answers 500; gatehouse 404 with the same message');
    assert.deepEqual(again.json, { message: 'Failed to remove user from organization' });
    const last = await del(c.ids.serverAdmin);
    assert.equal(last.status, 400);
    assert.deepEqual(last.json, { message: 'Cannot remove last organization admin' });
    assert.deepEqual((await del('x')).json, { message: 'userId is invalid' });
    assert.deepEqual((await del(c.ids.viewer, admin(), 'x')).json, { message: 'orgId is invalid' });
    assertDenied(await del(c.ids.viewer, c.orgAdmin), 'org.users:remove');
    // an account in org 1 only, removed from it: still an account (unlike DELETE /api/org/users/:userId)
    const lone = await mkUser(s, 'o-lone');
    const rm = await del(lone, admin(), 1);
    assert.equal(rm.status, 200, rm.text);
    assert.deepEqual(rm.json, { message: 'User removed from organization' });
    const me = await s.req('GET', '/api/user', { headers: basic('o-lone', 'pw-o-lone') });
    assert.equal(me.status, 200, 'the account lives on, in no org');
    assert.deepEqual((await s.req('GET', '/api/user/orgs', { headers: basic('o-lone', 'pw-o-lone') })).json, []);
    assert.ok((await s.req('GET', '/access/users/list', { headers: { 'x-api-key': s.apiKey() } })).json.result.users.some((u: any) => u.username === 'o-lone'));
  } finally {
    await s.req('DELETE', `/api/orgs/${org}`, { headers: admin() });
  }
});

test('the per-org routes for an API key and a service-account token: their own org only', TODO, async () => {
  const { key } = await mkKey(s, 'other-org-admin', 'Admin', { orgId: other });
  const sa = await mkSaToken(s, 'other-org-robot', 'Admin', other);
  for (const [who, token] of [['API key', key], ['SA token', sa.token]] as const) {
    const headers = { authorization: `Bearer ${token}` };
    assert.equal((await s.req('GET', `/api/orgs/${other}/users`, { headers })).status, 200, who);
    const add = await s.req('POST', `/api/orgs/${other}/users`, { headers, body: { loginOrEmail: 'o-vic', role: 'Viewer' } });
    assert.ok(add.status === 200 || add.status === 409, `${who}: ${add.text}`);
    assert.equal((await s.req('GET', '/api/orgs/1/users', { headers })).status, 403, `${who} on org 1`);
  }
});

test('GET /api/orgs/name/:name: server admin only (orgs:read); exact name, URL-encoded; 404 "Organization not found"', TODO, async () => {
  const r = await s.req('GET', '/api/orgs/name/Main%20Org.', { headers: admin() });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { id: 1, name: 'Main Org.', address: ADDRESS });
  assert.deepEqual((await s.req('GET', '/api/orgs/name/Other%20Org', { headers: admin() })).json, { id: other, name: 'Other Org', address: ADDRESS });
  assert.deepEqual((await s.req('GET', '/api/orgs/name/Other%20Org/', { headers: admin() })).json.id, other, 'Grafana registers it with a trailing slash');
  const nf = await s.req('GET', '/api/orgs/name/No%20Such%20Org', { headers: admin() });
  assert.equal(nf.status, 404);
  assert.deepEqual(nf.json, { message: 'Organization not found' });
  for (const headers of [c.viewer, c.orgAdmin, c.apiKey, c.saToken]) assertDenied(await s.req('GET', '/api/orgs/name/Main%20Org.', { headers }), 'orgs:read');
  assert.equal((await s.req('GET', '/api/orgs/name/Main%20Org.')).status, 401);
});

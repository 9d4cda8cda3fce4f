// Orgs, membership and roles: /api/org, /api/org/users, /api/orgs, /api/user,
// /api/user/orgs, /api/user/using, and X-Grafana-Org-Id / ?targetOrgId on every request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Running } from '../helpers/server.js';
import { addToOrg, admin, assertDenied, basic, bearer, errutil, mkKey, mkOrg, mkUser, setRole, startGrafana } from './helpers.js';

const ADDRESS = { address1: '', address2: '', city: '', zipCode: '', state: '', country: '' };
let s: Running;
let viewer: Record<string, string>, editor: Record<string, string>, orgAdmin: Record<string, string>;
let ids: Record<string, number> = {};

before(async () => {
  s = await startGrafana();
  ids.vic = await mkUser(s, 'vic');
  ids.eve = await mkUser(s, 'eve');
  ids.ann = await mkUser(s, 'ann');
  await setRole(s, 1, ids.eve!, 'Editor');
  await setRole(s, 1, ids.ann!, 'Admin');
  viewer = basic('vic', 'pw-vic');
  editor = basic('eve', 'pw-eve');
  orgAdmin = basic('ann', 'pw-ann');
});
after(() => s.stop());

test('GET /api/org: any member; shape with address', async () => {
  for (const h of [viewer, editor, orgAdmin, admin()]) {
    const r = await s.req('GET', '/api/org', { headers: h });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { id: 1, name: 'Main Org.', address: ADDRESS });
  }
});

test('PUT /api/org: org Admin only; bad data; duplicate name 400', async () => {
  assertDenied(await s.req('PUT', '/api/org', { headers: viewer, body: { name: 'x' } }), 'orgs:write');
  assertDenied(await s.req('PUT', '/api/org', { headers: editor, body: { name: 'x' } }), 'orgs:write');
  const bad = await s.req('PUT', '/api/org', { headers: orgAdmin, body: {} });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.json, { message: 'bad request data' });
  assert.equal((await s.req('PUT', '/api/org', { headers: orgAdmin, raw: 'nope', ...{} })).status, 400);
  const other = await mkOrg(s, 'Taken Org');
  const dup = await s.req('PUT', '/api/org', { headers: orgAdmin, body: { name: 'Taken Org' } });
  assert.equal(dup.status, 400);
  assert.deepEqual(dup.json, { message: 'Organization name taken' });
  const ok = await s.req('PUT', '/api/org', { headers: orgAdmin, body: { name: 'Renamed Org' } });
  assert.deepEqual(ok.json, { message: 'Organization updated' });
  assert.equal((await s.req('GET', '/api/org', { headers: viewer })).json.name, 'Renamed Org');
  await s.req('PUT', '/api/org', { headers: orgAdmin, body: { name: 'Main Org.' } });
  assert.equal((await s.req('DELETE', `/api/orgs/${other}`, { headers: admin() })).status, 200);
});

test('GET /api/org/users: org Admin; members with Grafana\'s fields, service accounts excluded', async () => {
  assertDenied(await s.req('GET', '/api/org/users', { headers: viewer }), 'org.users:read');
  assertDenied(await s.req('GET', '/api/org/users', { headers: editor }), 'org.users:read');
  await s.req('POST', '/api/serviceaccounts', { headers: admin(), body: { name: 'robot' } });
  const r = await s.req('GET', '/api/org/users', { headers: orgAdmin });
  assert.equal(r.status, 200);
  const logins = r.json.map((u: any) => u.login);
  assert.deepEqual(logins, ['admin', 'ann', 'eve', 'vic']);
  const vic = r.json.find((u: any) => u.login === 'vic');
  assert.deepEqual(Object.keys(vic).sort(), ['authLabels', 'avatarUrl', 'email', 'isDisabled', 'isExternallySynced', 'lastSeenAt', 'lastSeenAtAge', 'login', 'name', 'orgId', 'role', 'uid', 'userId'].sort());
  assert.equal(vic.role, 'Viewer');
  assert.equal(vic.orgId, 1);
  assert.equal(vic.userId, ids.vic);
  assert.equal(vic.email, 'vic');
  assert.match(vic.avatarUrl, /^\/avatar\/[0-9a-f]{32}$/);
  assert.match(vic.lastSeenAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(vic.lastSeenAtAge, '< 1 minute');
  const q = await s.req('GET', '/api/org/users?query=ev', { headers: orgAdmin });
  assert.deepEqual(q.json.map((u: any) => u.login), ['eve']);
  assert.equal((await s.req('GET', '/api/org/users?limit=2', { headers: orgAdmin })).json.length, 2);
});

test('POST /api/org/users: role checks, unknown user 404, already a member 409, success with userId', async () => {
  const orgId = await mkOrg(s, 'Team Org');
  const h = { ...admin(), 'x-grafana-org-id': String(orgId) };
  assert.deepEqual((await s.req('POST', '/api/org/users', { headers: h, body: { loginOrEmail: 'vic' } })).json, { message: 'bad request data' });
  const badRole = await s.req('POST', '/api/org/users', { headers: h, body: { loginOrEmail: 'vic', role: 'Boss' } });
  assert.equal(badRole.status, 400);
  assert.deepEqual(badRole.json, { message: 'Invalid role specified' });
  const unknown = await s.req('POST', '/api/org/users', { headers: h, body: { loginOrEmail: 'nobody', role: 'Viewer' } });
  assert.equal(unknown.status, 404);
  assert.deepEqual(unknown.json, { message: 'User not found' });
  const ok = await s.req('POST', '/api/org/users', { headers: h, body: { loginOrEmail: 'VIC', role: 'Editor' } });
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.json, { message: 'User added to organization', userId: ids.vic });
  const again = await s.req('POST', '/api/org/users', { headers: h, body: { loginOrEmail: 'vic', role: 'Viewer' } });
  assert.equal(again.status, 409);
  assert.deepEqual(again.json, { message: 'User is already member of this organization', userId: ids.vic });
  assertDenied(await s.req('POST', '/api/org/users', { headers: editor, body: { loginOrEmail: 'vic', role: 'Viewer' } }), 'org.users:add');
  // vic is now in two orgs
  assert.deepEqual((await s.req('GET', '/api/user/orgs', { headers: viewer })).json, [
    { orgId: 1, name: 'Main Org.', role: 'Viewer' },
    { orgId, name: 'Team Org', role: 'Editor' },
  ]);
  await s.req('DELETE', `/api/orgs/${orgId}`, { headers: admin() });
});

test('PATCH /api/org/users/:userId: bad id, bad role, last Admin kept, success; a role above the caller\'s is refused', async () => {
  const orgId = await mkOrg(s, 'Patch Org'); // admin is its only Admin
  const h = { ...admin(), 'x-grafana-org-id': String(orgId) };
  await s.req('POST', '/api/org/users', { headers: h, body: { loginOrEmail: 'eve', role: 'Viewer' } });
  assert.deepEqual((await s.req('PATCH', '/api/org/users/abc', { headers: h, body: { role: 'Editor' } })).json, { message: 'userId is invalid' });
  assert.deepEqual((await s.req('PATCH', `/api/org/users/${ids.eve}`, { headers: h, body: { role: 'Owner' } })).json, { message: 'Invalid role specified' });
  const adminId = (await s.req('GET', '/api/user', { headers: admin() })).json.id;
  const last = await s.req('PATCH', `/api/org/users/${adminId}`, { headers: h, body: { role: 'Viewer' } });
  assert.equal(last.status, 400);
  assert.deepEqual(last.json, { message: 'Cannot change role so that there is no organization admin left' });
  const ok = await s.req('PATCH', `/api/org/users/${ids.eve}`, { headers: h, body: { role: 'Admin' } });
  assert.deepEqual(ok.json, { message: 'Organization user updated' });
  const notMember = await s.req('PATCH', `/api/org/users/999999`, { headers: h, body: { role: 'Viewer' } });
  assert.equal(notMember.status, 404, 'Grafana answers 500 here; gatehouse never does');
  assert.deepEqual(notMember.json, { message: 'Failed update org user' });
  assert.equal((await s.req('PATCH', `/api/org/users/${adminId}`, { headers: h, body: { role: 'Viewer' } })).status, 200, 'eve is now another Admin');
  // now only a Viewer there: the org routes are closed to the server admin too
  assertDenied(await s.req('GET', '/api/org/users', { headers: h }), 'org.users:read');
  assertDenied(await s.req('PATCH', `/api/org/users/${ids.vic}`, { headers: viewer, body: { role: 'Admin' } }), 'org.users:write');
  await s.req('DELETE', `/api/orgs/${orgId}`, { headers: admin() });
});

test('DELETE /api/org/users/:userId: last Admin kept; removal; an account left in no org is deleted ("User deleted")', async () => {
  const orgId = await mkOrg(s, 'Remove Org');
  const h = { ...admin(), 'x-grafana-org-id': String(orgId) };
  await s.req('POST', '/api/org/users', { headers: h, body: { loginOrEmail: 'vic', role: 'Viewer' } });
  const adminId = (await s.req('GET', '/api/user', { headers: admin() })).json.id;
  assert.deepEqual((await s.req('DELETE', '/api/org/users/x', { headers: h })).json, { message: 'userId is invalid' });
  const last = await s.req('DELETE', `/api/org/users/${adminId}`, { headers: h });
  assert.equal(last.status, 400);
  assert.deepEqual(last.json, { message: 'Cannot remove last organization admin' });
  const rm = await s.req('DELETE', `/api/org/users/${ids.vic}`, { headers: h });
  assert.deepEqual(rm.json, { message: 'User removed from organization' });
  const again = await s.req('DELETE', `/api/org/users/${ids.vic}`, { headers: h });
  assert.equal(again.status, 404, 'not a member: Grafana answers 500, gatehouse 404 with the same message');
  assert.deepEqual(again.json, { message: 'Failed to remove user from organization' });
  assert.equal((await s.req('GET', '/api/org', { headers: { ...viewer, 'x-grafana-org-id': String(orgId) } })).status, 403);
  assertDenied(await s.req('DELETE', `/api/org/users/${ids.vic}`, { headers: editor }), 'org.users:remove');
  // an orphan: in org 1 only, removed from it → deleted (Moonraker's account too)
  const lone = await mkUser(s, 'lone');
  const del = await s.req('DELETE', `/api/org/users/${lone}`, { headers: orgAdmin });
  assert.deepEqual(del.json, { message: 'User deleted' });
  assert.equal((await s.req('GET', '/api/org', { headers: basic('lone', 'pw-lone') })).status, 401);
  const users = (await s.req('GET', '/access/users/list', { headers: { 'x-api-key': s.apiKey() } })).json.result.users.map((u: any) => u.username);
  assert.ok(!users.includes('lone'));
  await s.req('DELETE', `/api/orgs/${orgId}`, { headers: admin() });
});

test('GET /api/orgs and GET /api/orgs/:id: Grafana server admin only', async () => {
  const orgId = await mkOrg(s, 'Listed Org');
  const list = await s.req('GET', '/api/orgs', { headers: admin() });
  assert.deepEqual(list.json, [{ id: orgId, name: 'Listed Org' }, { id: 1, name: 'Main Org.' }]);
  assert.deepEqual((await s.req('GET', '/api/orgs?query=listed', { headers: admin() })).json, [{ id: orgId, name: 'Listed Org' }]);
  assert.deepEqual((await s.req('GET', '/api/orgs?perpage=1&page=2', { headers: admin() })).json, [{ id: 1, name: 'Main Org.' }]);
  assertDenied(await s.req('GET', '/api/orgs', { headers: orgAdmin }), 'orgs:read');
  const { key } = await mkKey(s, 'orgs-admin-key', 'Admin');
  assertDenied(await s.req('GET', '/api/orgs', { headers: bearer(key) }), 'orgs:read');
  assert.deepEqual((await s.req('GET', `/api/orgs/${orgId}`, { headers: admin() })).json, { id: orgId, name: 'Listed Org', address: ADDRESS });
  assert.deepEqual((await s.req('GET', '/api/orgs/abc', { headers: admin() })).json, { message: 'orgId is invalid' });
  const nf = await s.req('GET', '/api/orgs/424242', { headers: admin() });
  assert.equal(nf.status, 404);
  assert.deepEqual(nf.json, { message: 'Organization not found' });
  assertDenied(await s.req('GET', `/api/orgs/${orgId}`, { headers: orgAdmin }), 'orgs:read');
  await s.req('DELETE', `/api/orgs/${orgId}`, { headers: admin() });
});

test('POST /api/orgs: server admin; duplicate 409; creator is Admin; others refused unless allow_org_create', async () => {
  const dupName = 'Dup Org';
  const r = await s.req('POST', '/api/orgs', { headers: admin(), body: { name: dupName } });
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(r.json).sort(), ['message', 'orgId']);
  assert.equal(r.json.message, 'Organization created');
  const dup = await s.req('POST', '/api/orgs', { headers: admin(), body: { name: dupName } });
  assert.equal(dup.status, 409);
  assert.deepEqual(dup.json, { message: 'Organization name taken' });
  assert.deepEqual((await s.req('POST', '/api/orgs', { headers: admin(), body: {} })).json, { message: 'bad request data' });
  assertDenied(await s.req('POST', '/api/orgs', { headers: orgAdmin, body: { name: 'Mine' } }), 'orgs:create');
  const me = await s.req('GET', '/api/user/orgs', { headers: admin() });
  assert.ok(me.json.some((o: any) => o.orgId === r.json.orgId && o.role === 'Admin'));
  await s.req('DELETE', `/api/orgs/${r.json.orgId}`, { headers: admin() });

  const open = await startGrafana({ users: { allow_org_create: true } });
  try {
    await mkUser(open, 'zed');
    const mine = await open.req('POST', '/api/orgs', { headers: basic('zed', 'pw-zed'), body: { name: 'Zed Org' } });
    assert.equal(mine.status, 200, mine.text);
    assert.deepEqual((await open.req('GET', '/api/user/orgs', { headers: basic('zed', 'pw-zed') })).json, [
      { orgId: 1, name: 'Main Org.', role: 'Viewer' },
      { orgId: mine.json.orgId, name: 'Zed Org', role: 'Admin' },
    ]);
  } finally {
    await open.stop();
  }
});

test('DELETE /api/orgs/:id: server admin; current org refused; unknown 404; its keys stop working', async () => {
  const orgId = await mkOrg(s, 'Doomed Org');
  const { key } = await mkKey(s, 'doomed', 'Admin', { orgId });
  assert.equal((await s.req('GET', '/api/org', { headers: bearer(key) })).status, 200);
  assertDenied(await s.req('DELETE', `/api/orgs/${orgId}`, { headers: orgAdmin }), 'orgs:delete');
  const cur = await s.req('DELETE', '/api/orgs/1', { headers: admin() });
  assert.equal(cur.status, 400);
  assert.deepEqual(cur.json, { message: 'Can not delete org for current user' });
  assert.equal((await s.req('DELETE', '/api/orgs/1', { headers: { ...admin(), 'x-grafana-org-id': String(orgId) } })).status, 400, 'the default org stays');
  assert.deepEqual((await s.req('DELETE', '/api/orgs/zz', { headers: admin() })).json, { message: 'orgId is invalid' });
  const nf = await s.req('DELETE', '/api/orgs/987654', { headers: admin() });
  assert.equal(nf.status, 404);
  assert.deepEqual(nf.json, { message: 'Failed to delete organization. ID not found' });
  const ok = await s.req('DELETE', `/api/orgs/${orgId}`, { headers: admin() });
  assert.deepEqual(ok.json, { message: 'Organization deleted' });
  assert.deepEqual((await s.req('GET', '/api/org', { headers: bearer(key) })).json, errutil('Invalid API key', 'api-key.invalid', 401));
});

test('GET /api/user: profile; API keys and service-account tokens get 403 "Endpoint only available for users"', async () => {
  const me = await s.req('GET', '/api/user', { headers: admin() });
  assert.equal(me.status, 200);
  assert.deepEqual(Object.keys(me.json).sort(), ['authLabels', 'avatarUrl', 'createdAt', 'email', 'id', 'isDisabled', 'isExternal', 'isExternallySynced', 'isGrafanaAdmin', 'isGrafanaAdminExternallySynced', 'login', 'name', 'orgId', 'theme', 'uid', 'updatedAt'].sort());
  assert.equal(me.json.email, 'admin@localhost');
  assert.equal(me.json.avatarUrl, '/avatar/46d229b033af06a191ff2267bca9ae56');
  assert.equal(me.json.isGrafanaAdmin, true);
  const { key } = await mkKey(s, 'user-key', 'Admin');
  for (const path of ['/api/user', '/api/user/orgs']) {
    const r = await s.req('GET', path, { headers: bearer(key) });
    assert.equal(r.status, 403);
    assert.deepEqual(r.json, { message: 'Endpoint only available for users' });
  }
  assert.equal((await s.req('POST', '/api/user/using/1', { headers: bearer(key) })).status, 403);
  assert.equal((await s.req('GET', '/api/user')).status, 401);
});

test('POST /api/user/using/:id: bad id 400, not a member 401, switch persists and is the default org of later requests', async () => {
  const orgId = await mkOrg(s, 'Using Org');
  await addToOrg(s, orgId, 'eve', 'Admin');
  assert.deepEqual((await s.req('POST', '/api/user/using/abc', { headers: editor })).json, { message: 'id is invalid' });
  const not = await s.req('POST', '/api/user/using/987654', { headers: editor });
  assert.equal(not.status, 401);
  assert.deepEqual(not.json, { message: 'Not a valid organization' });
  const ok = await s.req('POST', `/api/user/using/${orgId}`, { headers: editor });
  assert.deepEqual(ok.json, { message: 'Active organization changed' });
  assert.equal((await s.req('GET', '/api/org', { headers: editor })).json.id, orgId);
  assert.equal((await s.req('GET', '/api/user', { headers: editor })).json.orgId, orgId);
  // eve is Admin there: org routes now act in it
  assert.equal((await s.req('GET', '/api/org/users', { headers: editor })).status, 200);
  await s.req('POST', '/api/user/using/1', { headers: editor });
  assert.equal((await s.req('GET', '/api/org', { headers: editor })).json.id, 1);
  await s.req('DELETE', `/api/orgs/${orgId}`, { headers: admin() });
});

test('X-Grafana-Org-Id: a member acts in that org with that role; a non-member is signed in but in no org (403 on org routes)', async () => {
  const orgId = await mkOrg(s, 'Header Org');
  await addToOrg(s, orgId, 'vic', 'Admin');
  const inOrg = { ...viewer, 'x-grafana-org-id': String(orgId) };
  assert.equal((await s.req('GET', '/api/org', { headers: inOrg })).json.id, orgId);
  assert.equal((await s.req('GET', '/api/org/users', { headers: inOrg })).status, 200, 'Admin there');
  assert.equal((await s.req('GET', '/api/org/users', { headers: viewer })).status, 403, 'still Viewer in org 1');
  // header does not persist anything
  assert.equal((await s.req('GET', '/api/org', { headers: viewer })).json.id, 1);
  // ?targetOrgId wins over the header
  assert.equal((await s.req('GET', `/api/org?targetOrgId=${orgId}`, { headers: { ...viewer, 'x-grafana-org-id': '1' } })).json.id, orgId);
  // unparsable header is ignored
  assert.equal((await s.req('GET', '/api/org', { headers: { ...viewer, 'x-grafana-org-id': 'two' } })).json.id, 1);
  // not a member: authenticated, user routes work, org routes 403
  const outside = { ...editor, 'x-grafana-org-id': String(orgId) };
  assertDenied(await s.req('GET', '/api/org', { headers: outside }), 'orgs:read');
  assert.equal((await s.req('GET', '/api/user', { headers: outside })).status, 200);
  assert.equal((await s.req('GET', '/api/user/orgs', { headers: outside })).status, 200);
  // server admins too are in no org there, but /api/orgs works
  const adminOutside = { ...admin(), 'x-grafana-org-id': '987654' };
  assertDenied(await s.req('GET', '/api/org', { headers: adminOutside }), 'orgs:read');
  assert.equal((await s.req('GET', '/api/orgs', { headers: adminOutside })).status, 200);
  await s.req('DELETE', `/api/orgs/${orgId}`, { headers: admin() });
});

test('X-Grafana-Org-Id with an API key: its own org works, another org is 401 "API key does not belong to the requested organization"', async () => {
  const orgId = await mkOrg(s, 'Key Org');
  const { key } = await mkKey(s, 'org-key', 'Viewer', { orgId });
  assert.equal((await s.req('GET', '/api/org', { headers: bearer(key) })).json.id, orgId);
  assert.equal((await s.req('GET', '/api/org', { headers: { ...bearer(key), 'x-grafana-org-id': String(orgId) } })).status, 200);
  const r = await s.req('GET', '/api/org', { headers: { ...bearer(key), 'x-grafana-org-id': '1' } });
  assert.equal(r.status, 401);
  assert.deepEqual(r.json, errutil('API key does not belong to the requested organization', 'api-key.organization-mismatch', 401));
  assert.equal((await s.req('GET', '/api/org?targetOrgId=1', { headers: bearer(key) })).status, 401);
  await s.req('DELETE', `/api/orgs/${orgId}`, { headers: admin() });
});

test('the Moonraker face acts in the default org: its new users are Viewers of org 1 and nothing else', async () => {
  const id = await mkUser(s, 'moon');
  const users = (await s.req('GET', '/api/org/users', { headers: orgAdmin })).json;
  assert.equal(users.find((u: any) => u.userId === id).role, 'Viewer');
  assert.deepEqual((await s.req('GET', '/api/user/orgs', { headers: basic('moon', 'pw-moon') })).json, [{ orgId: 1, name: 'Main Org.', role: 'Viewer' }]);
});

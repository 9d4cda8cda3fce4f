// /api/serviceaccounts and their glsa_ tokens: shapes, role and expiry rules, hashing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { admin, assertDenied, basic, bearer, errutil, mkKey, mkOrg, mkUser, sleep, startGrafana } from './helpers.js';
import { checksumHex } from '../../src/core/security/key-formats.js';

test('create (201), search, get, update, delete; the account is in its org with its role', async () => {
  const s = await startGrafana();
  try {
    const c = await s.req('POST', '/api/serviceaccounts', { headers: admin(), body: { name: 'Grafana Bot', role: 'Editor', isDisabled: false } });
    assert.equal(c.status, 201, c.text);
    const id = c.json.id;
    assert.deepEqual(c.json, { id, name: 'Grafana Bot', login: 'sa-grafana-bot', orgId: 1, isDisabled: false, role: 'Editor', tokens: 0, avatarUrl: c.json.avatarUrl });
    assert.match(c.json.avatarUrl, /^\/avatar\/[0-9a-f]{32}$/);
    const dflt = await s.req('POST', '/api/serviceaccounts', { headers: admin(), body: { name: 'plain' } });
    assert.equal(dflt.json.role, 'Viewer');

    const search = await s.req('GET', '/api/serviceaccounts/search?perpage=10&page=1&query=bot', { headers: admin() });
    assert.equal(search.status, 200);
    assert.deepEqual(Object.keys(search.json).sort(), ['page', 'perPage', 'serviceAccounts', 'totalCount']);
    assert.equal(search.json.totalCount, 1);
    assert.equal(search.json.serviceAccounts[0].id, id);
    assert.equal(search.json.page, 1);
    assert.equal(search.json.perPage, 10);
    assert.equal((await s.req('GET', '/api/serviceaccounts/search', { headers: admin() })).json.totalCount, 2);

    const get = await s.req('GET', `/api/serviceaccounts/${id}`, { headers: admin() });
    assert.equal(get.status, 200);
    assert.deepEqual(Object.keys(get.json).sort(), ['avatarUrl', 'createdAt', 'id', 'isDisabled', 'login', 'name', 'orgId', 'role', 'teams', 'tokens', 'updatedAt'].sort());
    assert.deepEqual(get.json.teams, []);
    assert.deepEqual((await s.req('GET', '/api/serviceaccounts/abc', { headers: admin() })).json, { message: 'Service Account ID is invalid' });
    assert.equal((await s.req('GET', '/api/serviceaccounts/99999', { headers: admin() })).status, 404);

    const up = await s.req('PATCH', `/api/serviceaccounts/${id}`, { headers: admin(), body: { name: 'Bot 2', role: 'Admin' } });
    assert.equal(up.status, 200);
    assert.equal(up.json.message, 'Service account updated');
    assert.equal(up.json.id, id);
    assert.equal(up.json.name, 'Bot 2');
    assert.equal(up.json.serviceaccount.role, 'Admin');
    assert.equal(up.json.serviceaccount.login, 'sa-grafana-bot', 'login kept');
    assert.deepEqual((await s.req('PATCH', `/api/serviceaccounts/${id}`, { headers: admin(), body: { role: 'King' } })).json, { message: 'Invalid role specified' });
    assert.deepEqual((await s.req('PATCH', `/api/serviceaccounts/${id}`, { headers: admin(), body: { isDisabled: 'yes' } })).json, { message: 'Bad request data' });

    // service accounts are not people: not in /api/org/users, not able to log in
    assert.ok(!(await s.req('GET', '/api/org/users', { headers: admin() })).json.some((u: any) => u.userId === id));
    assert.ok(!(await s.req('GET', '/access/users/list', { headers: { 'x-api-key': s.apiKey() } })).json.result.users.some((u: any) => u.username === 'sa-grafana-bot'));

    const del = await s.req('DELETE', `/api/serviceaccounts/${id}`, { headers: admin() });
    assert.deepEqual(del.json, { message: 'Service account deleted' });
    assert.equal((await s.req('GET', `/api/serviceaccounts/${id}`, { headers: admin() })).status, 404);
    assert.equal((await s.req('DELETE', `/api/serviceaccounts/${id}`, { headers: admin() })).status, 404);
  } finally {
    await s.stop();
  }
});

test('create errors: no name 400, duplicate name, bad role 400, bad body 400; only org Admins', async () => {
  const s = await startGrafana();
  try {
    await mkUser(s, 'vi');
    const post = (body: unknown, headers = admin()) => s.req('POST', '/api/serviceaccounts', { headers, body });
    const noName = await post({ role: 'Viewer' });
    assert.equal(noName.status, 400);
    assert.match(noName.json.message, /name/);
    assert.equal((await post({ name: 'x', role: 'God' })).status, 400);
    assert.deepEqual((await post({ name: 7 })).json, { message: 'Bad request data' });
    assert.equal((await post({ name: 'twin' })).status, 201);
    const dup = await post({ name: 'twin' });
    assert.ok(dup.status === 400 || dup.status === 409, String(dup.status));
    assert.match(dup.json.message, /already exists/);
    assertDenied(await post({ name: 'no' }, basic('vi', 'pw-vi')), 'serviceaccounts:create');
    assertDenied(await s.req('GET', '/api/serviceaccounts/search', { headers: basic('vi', 'pw-vi') }), 'serviceaccounts:read');
  } finally {
    await s.stop();
  }
});

test('tokens: glsa_ format with a valid checksum, 200 with the key once, SHA-256 at rest; the token acts as the account with its role', async () => {
  const s = await startGrafana();
  try {
    const sa = (await s.req('POST', '/api/serviceaccounts', { headers: admin(), body: { name: 'ci', role: 'Viewer' } })).json;
    const t = await s.req('POST', `/api/serviceaccounts/${sa.id}/tokens`, { headers: admin(), body: { name: 'ci-token' } });
    assert.equal(t.status, 200);
    assert.deepEqual(Object.keys(t.json).sort(), ['id', 'key', 'name']);
    const m = /^glsa_([0-9A-Za-z]{32})_([0-9a-f]{8})$/.exec(t.json.key);
    assert.ok(m, t.json.key);
    assert.equal(m![2], checksumHex(`glsa_${m![1]}`));
    assert.equal(t.json.key.length, 46);
    const row = await s.gh.store.apiKeys.byId(t.json.id);
    assert.equal(row!.hash, createHash('sha256').update(t.json.key).digest('hex'));
    assert.equal(row!.serviceAccountId, sa.id);

    // acts as a Viewer of org 1
    assert.equal((await s.req('GET', '/api/org', { headers: bearer(t.json.key) })).json.id, 1);
    assertDenied(await s.req('GET', '/api/auth/keys', { headers: bearer(t.json.key) }), 'apikeys:read');
    assert.deepEqual((await s.req('GET', '/api/user', { headers: bearer(t.json.key) })).json, { message: 'Endpoint only available for users' });
    // the role follows the account
    await s.req('PATCH', `/api/serviceaccounts/${sa.id}`, { headers: admin(), body: { role: 'Admin' } });
    assert.equal((await s.req('GET', '/api/auth/keys', { headers: bearer(t.json.key) })).status, 200);
    // SA tokens are not listed among API keys
    assert.deepEqual((await s.req('GET', '/api/auth/keys', { headers: admin() })).json, []);
    // and cannot be deleted through /api/auth/keys
    assert.equal((await s.req('DELETE', `/api/auth/keys/${t.json.id}`, { headers: admin() })).status, 404);

    const list = await s.req('GET', `/api/serviceaccounts/${sa.id}/tokens`, { headers: admin() });
    assert.equal(list.status, 200);
    assert.deepEqual(list.json, [{
      id: t.json.id, name: 'ci-token', created: list.json[0].created, lastUsedAt: list.json[0].lastUsedAt, expiration: null,
      secondsUntilExpiration: 0, hasExpired: false, isRevoked: false,
    }]);
    assert.match(list.json[0].lastUsedAt, /^\d{4}-\d\d-\d\dT/, 'used above');
    assert.match(list.json[0].created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal((await s.req('GET', `/api/serviceaccounts/${sa.id}`, { headers: admin() })).json.tokens, 1);

    // a disabled account's tokens are refused
    await s.req('PATCH', `/api/serviceaccounts/${sa.id}`, { headers: admin(), body: { isDisabled: true } });
    const off = await s.req('GET', '/api/org', { headers: bearer(t.json.key) });
    assert.equal(off.status, 401);
    assert.deepEqual(off.json, errutil('Unauthorized', 'identity.disabled', 401));
    await s.req('PATCH', `/api/serviceaccounts/${sa.id}`, { headers: admin(), body: { isDisabled: false } });
    assert.equal((await s.req('GET', '/api/org', { headers: bearer(t.json.key) })).status, 200);

    // X-Grafana-Org-Id of another org: refused
    const other = await mkOrg(s, 'Elsewhere');
    assert.deepEqual((await s.req('GET', '/api/org', { headers: { ...bearer(t.json.key), 'x-grafana-org-id': String(other) } })).json,
      errutil('API key does not belong to the requested organization', 'api-key.organization-mismatch', 401));
  } finally {
    await s.stop();
  }
});

test('token errors: bad ids, unknown account 404, bad body, duplicate 409, TTL rules, day limit', async () => {
  const s = await startGrafana({ auth: { api_key_max_seconds_to_live: 86400 * 30 }, service_accounts: { token_expiration_day_limit: 7 } });
  try {
    const sa = (await s.req('POST', '/api/serviceaccounts', { headers: admin(), body: { name: 'limits' } })).json;
    const post = (id: unknown, body: unknown) => s.req('POST', `/api/serviceaccounts/${id}/tokens`, { headers: admin(), body });
    assert.deepEqual((await post('abc', { name: 't', secondsToLive: 60 })).json, { message: 'Service Account ID is invalid' });
    assert.equal((await post(99999, { name: 't', secondsToLive: 60 })).status, 404);
    assert.deepEqual((await post(sa.id, { name: 't', secondsToLive: 'x' })).json, { message: 'Bad request data' });
    assert.deepEqual((await post(sa.id, { name: 't' })).json, { message: 'Number of seconds before expiration should be set' });
    assert.deepEqual((await post(sa.id, { name: 't', secondsToLive: 86400 * 31 })).json, { message: 'Number of seconds before expiration is greater than the global limit' });
    const beyond = await post(sa.id, { name: 't', secondsToLive: 86400 * 9 });
    assert.equal(beyond.status, 400);
    assert.deepEqual(beyond.json, { message: 'The expiration date input exceeds the limit for service account access tokens expiration date' });
    assert.equal((await post(sa.id, { name: 't', secondsToLive: 3600 })).status, 200);
    const dup = await post(sa.id, { name: 't', secondsToLive: 3600 });
    assert.equal(dup.status, 409);
    assert.match(dup.json.message, /already exists/);
    const listed = (await s.req('GET', `/api/serviceaccounts/${sa.id}/tokens`, { headers: admin() })).json[0];
    assert.ok(listed.secondsUntilExpiration > 3500 && listed.secondsUntilExpiration <= 3600, String(listed.secondsUntilExpiration));
    assert.match(listed.expiration, /Z$/);
  } finally {
    await s.stop();
  }
});

test('token expiry and deletion: refused one second after the TTL; deleted token refused on the next request', async () => {
  const s = await startGrafana();
  try {
    const sa = (await s.req('POST', '/api/serviceaccounts', { headers: admin(), body: { name: 'short' } })).json;
    const short = (await s.req('POST', `/api/serviceaccounts/${sa.id}/tokens`, { headers: admin(), body: { name: 's', secondsToLive: 1 } })).json;
    const long = (await s.req('POST', `/api/serviceaccounts/${sa.id}/tokens`, { headers: admin(), body: { name: 'l' } })).json;
    assert.equal((await s.req('GET', '/api/org', { headers: bearer(short.key) })).status, 200);
    await sleep(1050);
    assert.deepEqual((await s.req('GET', '/api/org', { headers: bearer(short.key) })).json, errutil('Expired API key', 'api-key.expired', 401));
    const list = (await s.req('GET', `/api/serviceaccounts/${sa.id}/tokens`, { headers: admin() })).json;
    assert.equal(list.find((t: any) => t.name === 's').hasExpired, true);

    const h = { ...admin() };
    assert.deepEqual((await s.req('DELETE', `/api/serviceaccounts/${sa.id}/tokens/x`, { headers: h })).json, { message: 'Token ID is invalid' });
    assert.deepEqual((await s.req('DELETE', `/api/serviceaccounts/${sa.id}/tokens/99999`, { headers: h })).json, { message: 'Failed to delete API key' });
    const { id: keyId } = await mkKey(s, 'legacy', 'Viewer');
    assert.equal((await s.req('DELETE', `/api/serviceaccounts/${sa.id}/tokens/${keyId}`, { headers: h })).status, 404, 'not this account\'s token');
    const del = await s.req('DELETE', `/api/serviceaccounts/${sa.id}/tokens/${long.id}`, { headers: h });
    assert.deepEqual(del.json, { message: 'Service account token deleted' });
    assert.deepEqual((await s.req('GET', '/api/org', { headers: bearer(long.key) })).json, errutil('Invalid API key', 'api-key.invalid', 401));

    // deleting the account deletes its tokens
    const again = (await s.req('POST', `/api/serviceaccounts/${sa.id}/tokens`, { headers: admin(), body: { name: 'again' } })).json;
    assert.equal((await s.req('GET', '/api/org', { headers: bearer(again.key) })).status, 200);
    await s.req('DELETE', `/api/serviceaccounts/${sa.id}`, { headers: admin() });
    assert.equal((await s.req('GET', '/api/org', { headers: bearer(again.key) })).status, 401);
    assert.equal(await s.gh.store.apiKeys.byId(again.id), undefined);
  } finally {
    await s.stop();
  }
});

test('service accounts are per org: X-Grafana-Org-Id picks the org; another org\'s account is 404', async () => {
  const s = await startGrafana();
  try {
    const org = await mkOrg(s, 'SA Org');
    const h = { ...admin(), 'x-grafana-org-id': String(org) };
    const sa = await s.req('POST', '/api/serviceaccounts', { headers: h, body: { name: 'Other Bot' } });
    assert.equal(sa.json.orgId, org);
    assert.equal(sa.json.login, `sa-${org}-other-bot`);
    assert.equal((await s.req('GET', `/api/serviceaccounts/${sa.json.id}`, { headers: admin() })).status, 404);
    assert.equal((await s.req('GET', '/api/serviceaccounts/search', { headers: admin() })).json.totalCount, 0);
    const t = (await s.req('POST', `/api/serviceaccounts/${sa.json.id}/tokens`, { headers: h, body: { name: 't' } })).json;
    assert.equal((await s.req('GET', '/api/org', { headers: bearer(t.key) })).json.id, org);
  } finally {
    await s.stop();
  }
});

test('POST /api/serviceaccounts/migrate: API keys become service-account tokens and keep working', async () => {
  const s = await startGrafana();
  try {
    const a = await mkKey(s, 'alpha', 'Editor');
    const b = await mkKey(s, 'beta', 'Admin');
    assert.equal((await s.req('GET', '/api/user', { headers: bearer(a.key) })).status, 403);
    const r = await s.req('POST', '/api/serviceaccounts/migrate', { headers: admin() });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { total: 2, migrated: 2, failed: 0, failedApikeyIDs: [], failedDetails: [] });
    assert.deepEqual((await s.req('GET', '/api/auth/keys', { headers: admin() })).json, [], 'no legacy keys left');
    const accounts = (await s.req('GET', '/api/serviceaccounts/search', { headers: admin() })).json.serviceAccounts;
    assert.deepEqual(accounts.map((x: any) => [x.name, x.role, x.tokens]), [['sa-autogen-alpha', 'Editor', 1], ['sa-autogen-beta', 'Admin', 1]]);
    // the old keys authenticate, now as their service accounts with the same role
    assert.equal((await s.req('GET', '/api/org', { headers: bearer(a.key) })).status, 200);
    assertDenied(await s.req('GET', '/api/auth/keys', { headers: bearer(a.key) }), 'apikeys:read');
    assert.equal((await s.req('GET', '/api/auth/keys', { headers: bearer(b.key) })).status, 200);
    assertDenied(await s.req('POST', '/api/serviceaccounts/migrate', { headers: bearer(a.key) }), 'serviceaccounts:create');
  } finally {
    await s.stop();
  }
});

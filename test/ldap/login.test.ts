// LDAP logins against a real slapd, over real HTTP: Moonraker's /access/login
// with source "ldap", /access/info, first-login records, filter escaping, the
// empty-password trap, group_dn, directory changes taking effect, Active
// Directory mode, user_filter, and group → org role mapping seen from the core
// and from the Grafana face.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'ldapts';
import { startGatehouse, type Running } from '../helpers/server.js';
import { admin as grafanaAdmin, basic, cookieHeader, startGrafana } from '../grafana/helpers.js';
import { LdapSource } from '../../src/core/sources/ldap/source.js';
import { configSchema } from '../../src/config/index.js';
import { ADMIN_DN, ADMIN_PASSWORD, BASE_DN, groupDn, startSlapd, userDn, type Slapd } from './slapd.js';
import { ldapOptions, login, logText, mkLocal, withLdap, type LdapConfig } from './helpers.js';

/** [ldap] as the config schema checks it, then the source built from it (as at start). */
const ldapConfig = (c: LdapConfig) => configSchema.parse({ ldap: c }).ldap!;
const source = (c: LdapConfig) => new LdapSource(ldapConfig(c));

let slapd: Slapd;
let g: Running;

before(async () => {
  slapd = await startSlapd();
  g = await startGatehouse(withLdap(slapd));
});
after(async () => {
  await g?.stop();
  await slapd?.close();
});

/** A direct client to the test directory, as its admin. */
async function asAdmin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ url: `ldap://${slapd.host}:${slapd.port}` });
  try {
    await c.bind(ADMIN_DN, ADMIN_PASSWORD);
    return await fn(c);
  } finally {
    await c.unbind();
  }
}

const denied = (r: { status: number; json: any }, what: string) => {
  assert.equal(r.status, 401, `${what}: ${JSON.stringify(r.json)}`);
  assert.deepEqual(r.json, { error: { code: 401, message: 'Unauthorized' } }, what);
};

describe('Moonraker logins with source "ldap"', () => {
  test('/access/info lists ldap among the available sources', async () => {
    const r = await g.req('GET', '/access/info');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.result.available_sources, ['moonraker', 'ldap']);
    assert.equal(r.json.result.default_source, 'moonraker');
  });

  test('a directory user logs in, gets tokens, and has a Moonraker record with source ldap', async () => {
    assert.equal(await g.gh.store.users.byUsername('alice'), undefined);
    const r = await login(g, 'alice', 'alice-pw');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.result.username, 'alice');
    assert.equal(r.json.result.source, 'ldap');
    assert.equal(r.json.result.action, 'user_logged_in');
    const rec = await g.gh.store.users.byUsername('alice');
    assert.ok(rec);
    assert.equal(rec.source, 'ldap');
    assert.equal(rec.passwordHash, null);
    assert.equal(rec.email, 'alice@example.org');
    assert.equal(rec.name, 'Alice Liddell');

    // the token works like a local user's
    const me = await g.req('GET', '/access/user', { headers: { authorization: `Bearer ${r.json.result.token}` } });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.result.username, 'alice');
    assert.equal(me.json.result.source, 'ldap');
    const refreshed = await g.req('POST', '/access/refresh_jwt', { body: { refresh_token: r.json.result.refresh_token } });
    assert.equal(refreshed.status, 200, refreshed.text);

    // a second login reuses the record
    const again = await login(g, 'alice', 'alice-pw');
    assert.equal(again.status, 200);
    assert.equal((await g.gh.store.users.byUsername('alice'))!.id, rec.id);
    assert.equal((await g.gh.store.users.list()).filter((u) => u.username === 'alice').length, 1);

    // listed among Moonraker's users with its source
    const list = await g.req('GET', '/access/users/list', { headers: { 'x-api-key': g.apiKey() } });
    assert.ok(list.json.result.users.some((u: any) => u.username === 'alice' && u.source === 'ldap'), list.text);
  });

  test('wrong password, unknown user: 401 Unauthorized, and no record is created', async () => {
    denied(await login(g, 'bob', 'not-bobs-password'), 'wrong password');
    denied(await login(g, 'nobody', 'whatever'), 'unknown user');
    assert.equal(await g.gh.store.users.byUsername('nobody'), undefined);
    assert.equal(await g.gh.store.users.byUsername('bob'), undefined);
    const logs = logText(g);
    assert.match(logs, /Invalid LDAP Username or Password/);
    assert.match(logs, /LDAP User 'nobody' Not Found/);
    assert.doesNotMatch(logs, /not-bobs-password/, 'the password is never logged');
  });

  test('an empty password never counts, although the directory itself accepts that bind', async () => {
    // The trap: a DN with an empty password is an "unauthenticated bind", and succeeds.
    const c = new Client({ url: `ldap://${slapd.host}:${slapd.port}` });
    await c.bind(userDn('bob'), '');
    await c.unbind();

    denied(await login(g, 'bob', ''), 'empty password');
    denied(await login(g, 'alice', ''), 'empty password of a known user');
    assert.equal(await g.gh.store.users.byUsername('bob'), undefined);
  });

  test('filter metacharacters in the username are escaped: injection finds nothing, logs in nobody', async () => {
    const injection = '*)(uid=*))(|(uid=*';
    // Unescaped, '*' or 'alice)(|(uid=*' would have made filters that match people:
    for (const filter of ['(&(objectClass=Person)(uid=*))', '(&(objectClass=Person)(uid=alice)(|(uid=*)))']) {
      const raw = await asAdmin((c) => c.search(BASE_DN, { filter }));
      assert.ok(raw.searchEntries.length >= 1, filter);
    }

    const passwords = ['alice-pw', 'bob-pw', 'x', 'carol-pw'];
    for (const username of [injection, '*', 'al*', '*)(objectClass=*', 'alice)(|(uid=*', 'alice\\', '(uid=alice)', 'alice\u0000']) {
      for (const password of passwords) denied(await login(g, username, password), `username ${JSON.stringify(username)}`);
      assert.equal(await g.gh.store.users.byUsername(username), undefined);
    }
    const ldap = source(ldapOptions(slapd));
    assert.equal(ldap.filterFor(injection), '(&(objectClass=Person)(uid=\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a))');
    // String.replace patterns in the username are not expanded into pieces of the filter
    for (const username of ['$`', "$'", '$&', "a$'b$`c"]) {
      assert.equal(ldap.filterFor(username), `(&(objectClass=Person)(uid=${username}))`);
      denied(await login(g, username, 'alice-pw'), `username ${username}`);
    }
  });

  test('a uid made of filter metacharacters logs in as itself (escaping, not refusing)', async () => {
    const r = await login(g, 'weird(user)*', 'weird-pw');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.result.username, 'weird(user)*');
    denied(await login(g, 'weird(user)*', 'alice-pw'), 'wrong password');
  });

  test('an LDAP user cannot change their password, nor be created through /access/user', async () => {
    const r = await login(g, 'alice', 'alice-pw');
    const auth = { authorization: `Bearer ${r.json.result.token}` };
    const pw = await g.req('POST', '/access/user/password', { headers: auth, body: { password: 'alice-pw', new_password: 'new-pw-123' } });
    assert.equal(pw.status, 400);
    assert.match(pw.json.error.message, /Reset password for ldap user alice/);
    const create = await g.req('POST', '/access/user', { headers: { 'x-api-key': g.apiKey() }, body: { username: 'zed', password: 'zed-pw', source: 'ldap' } });
    assert.equal(create.status, 400);
    assert.equal(create.json.error.message, 'Invalid Request to create new LDAP User');
    assert.equal((await login(g, 'alice', 'alice-pw')).status, 200, 'the directory password still works');
  });

  test('local users are unaffected; an existing local name must use its own source', async () => {
    await mkLocal(g, 'localuser', 'local-pw');
    assert.equal((await login(g, 'localuser', 'local-pw', 'moonraker')).status, 200);
    assert.equal((await login(g, 'localuser', 'local-pw', null)).status, 200, 'default source is moonraker');
    // a local account named like a directory user: the directory password does not log into it
    await mkLocal(g, 'carol', 'local-carol-pw');
    const r = await login(g, 'carol', 'carol-pw');
    assert.equal(r.status, 401);
    assert.match(r.json.error.message, /must specify source 'moonraker'/);
    assert.equal((await login(g, 'carol', 'local-carol-pw', 'moonraker')).status, 200);
  });

  test('concurrent first logins make one record; an email already taken does not fail the login', async () => {
    await slapd.addUser({ uid: 'ivy', password: 'ivy-pw', cn: 'Ivy', mail: 'ivy@example.org' });
    const rs = await Promise.all(Array.from({ length: 6 }, () => login(g, 'ivy', 'ivy-pw')));
    for (const r of rs) assert.equal(r.status, 200, r.text);
    assert.equal((await g.gh.store.users.list()).filter((u) => u.username === 'ivy').length, 1);

    // a local account already has the directory's email of jack
    await mkLocal(g, 'jack-local', 'pw-jack-local');
    const local = (await g.gh.store.users.byUsername('jack-local'))!;
    await g.gh.core.accounts.update(local.id, { email: 'jack@example.org' });
    await slapd.addUser({ uid: 'jack', password: 'jack-pw', mail: 'jack@example.org' });
    assert.equal((await login(g, 'jack', 'jack-pw')).status, 200);
    assert.equal((await login(g, 'jack', 'jack-pw')).status, 200);
    assert.equal((await g.gh.store.users.byUsername('jack'))?.email, null);
  });

  test('removing a user from the directory (ldapdelete) stops their logins', async () => {
    await slapd.addUser({ uid: 'erin', password: 'erin-pw', cn: 'Erin' });
    assert.equal((await login(g, 'erin', 'erin-pw')).status, 200);
    await slapd.ldapdelete(userDn('erin'));
    denied(await login(g, 'erin', 'erin-pw'), 'deleted from the directory');
  });

  test('a wrong bind_password is a 503 naming LDAP, not a login failure', async () => {
    const bad = await startGatehouse(withLdap(slapd, { bind_password: 'wrong' }));
    try {
      const r = await login(bad, 'alice', 'alice-pw');
      assert.equal(r.status, 503, r.text);
      assert.equal(r.json.error.message, 'LDAP error: the directory refused the bind_dn credentials');
    } finally {
      await bad.stop();
    }
  });

  test('anonymous search (no bind_dn), default_source ldap', async () => {
    const anon = await startGatehouse(withLdap(slapd, { bind_dn: undefined, bind_password: undefined }, { authorization: { default_source: 'ldap' } }));
    try {
      const info = await anon.req('GET', '/access/info');
      assert.equal(info.json.result.default_source, 'ldap');
      const r = await login(anon, 'dave', 'dave-pw', null);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.result.source, 'ldap');
      denied(await login(anon, 'dave', 'nope', null), 'wrong password');
    } finally {
      await anon.stop();
    }
  });
});

describe('group_dn', () => {
  let gg: Running;
  before(async () => { gg = await startGatehouse(withLdap(slapd, { group_dn: groupDn('printers') })); });
  after(() => gg.stop());

  test('members log in; non-members are refused', async () => {
    assert.equal((await login(gg, 'dave', 'dave-pw')).status, 200);
    denied(await login(gg, 'bob', 'bob-pw'), 'bob is in no group');
    assert.match(logText(gg), /User 'bob' is not a member of configured group_dn\./);
    assert.equal(await gg.gh.store.users.byUsername('bob'), undefined);
  });

  test('removal from the group (ldapmodify) takes effect at the next login, and adding back too', async () => {
    await slapd.addUser({ uid: 'frank', password: 'frank-pw' });
    denied(await login(gg, 'frank', 'frank-pw'), 'not yet a member');
    await slapd.addToGroup('printers', 'frank');
    assert.equal((await login(gg, 'frank', 'frank-pw')).status, 200);
    await slapd.removeFromGroup('printers', 'frank');
    denied(await login(gg, 'frank', 'frank-pw'), 'removed from the group');
  });

  test('check_dn_case: a differently cased group_dn only matches when false', async () => {
    const upper = groupDn('printers').toUpperCase();
    const strict = await startGatehouse(withLdap(slapd, { group_dn: upper }));
    const loose = await startGatehouse(withLdap(slapd, { group_dn: upper, check_dn_case: false }));
    try {
      denied(await login(strict, 'dave', 'dave-pw'), 'case-sensitive comparison');
      assert.equal((await login(loose, 'dave', 'dave-pw')).status, 200);
    } finally {
      await strict.stop();
      await loose.stop();
    }
  });
});

describe('lookup modes', () => {
  test('is_active_directory looks users up by sAMAccountName', async () => {
    const ad = await startGatehouse(withLdap(slapd, { is_active_directory: true }));
    try {
      const r = await login(ad, 'alice.ad', 'alice-pw');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.result.username, 'alice.ad');
      denied(await login(ad, 'alice', 'alice-pw'), 'uid is not the AD login name');
    } finally {
      await ad.stop();
    }
  });

  test('user_filter replaces USERNAME with the escaped username', async () => {
    const byMail = await startGatehouse(withLdap(slapd, { user_filter: '(&(objectClass=inetOrgPerson)(mail=USERNAME))' }));
    try {
      assert.equal((await login(byMail, 'bob@example.org', 'bob-pw')).status, 200);
      denied(await login(byMail, 'bob', 'bob-pw'), 'uid does not match the mail filter');
      denied(await login(byMail, '*@example.org', 'bob-pw'), 'wildcard in the mail');
    } finally {
      await byMail.stop();
    }
  });

  test('a filter matching several entries logs in nobody', async () => {
    const loose = await startGatehouse(withLdap(slapd, { user_filter: '(|(uid=USERNAME)(objectClass=Person))' }));
    try {
      denied(await login(loose, 'alice', 'alice-pw'), 'ambiguous');
      assert.match(logText(loose), /matched more than one entry/);
    } finally {
      await loose.stop();
    }
  });

  test('bad options fail at start with a clear message', () => {
    const o = ldapOptions(slapd);
    assert.throws(() => source({ ...o, user_filter: '(uid=alice)' }), /user_filter.*must contain the token USERNAME/s);
    assert.throws(() => source({ ...o, user_filter: '(uid=USERNAME' }), /not a valid LDAP filter/);
    assert.throws(() => source({ ...o, bind_password: undefined }), /bind_password is required when bind_dn is set/);
    assert.throws(() => source({ ...o, bind_password: '' }), /bind_password.*must not be empty/s);
    assert.throws(() => source({ ...o, ldap_secure: true, start_tls: true }), /start_tls.*cannot be combined/s);
    assert.throws(() => source({ ...o, membership_attribute: 'groups' }), /membership_attribute/);
    assert.throws(() => source({ ...o, ca_file: '/nonexistent/ca.pem' }), /ca_file \/nonexistent\/ca\.pem cannot be read/);
    assert.throws(() => source({ ...o, ldap_host: 'ldap host' }), /ldap_host ldap host is not a host name/);
    assert.throws(() => source({ ...o, ldap_port: 70000 }), /70000[\s\S]*ldap_port/);
    assert.throws(() => ldapConfig({ ...o, group_mappings: 'cn=x => Owner' }), /group_mappings/);
    assert.deepEqual(ldapConfig({ ...o, group_mappings: `${groupDn('x')} => editor @3` }).group_mappings, [{ group_dn: groupDn('x'), role: 'Editor', org_id: 3 }]);
    assert.deepEqual(ldapConfig({ ...o, group_mappings: `${groupDn('x')}=>Admin` }).group_mappings, [{ group_dn: groupDn('x'), role: 'Admin', org_id: 1 }]);
  });
});

describe('group → org role mapping, applied at each login', () => {
  let gm: Running;
  let org2: number;
  const mappings = [
    `${groupDn('admins')} => Admin`,
    `${groupDn('editors')} => Editor`,
    `${groupDn('printers')} => Viewer`,
    `${groupDn('editors')} => Viewer @2`,
    { group_dn: groupDn('admins'), role: 'Editor' as const, org_id: 2 },
  ];
  before(async () => {
    gm = await startGrafana(withLdap(slapd, { group_mappings: mappings, grafana_admin_group: groupDn('admins') }));
    org2 = (await gm.gh.store.orgs.create('Second')).id;
    assert.equal(org2, 2);
  });
  after(() => gm.stop());

  const roles = async (username: string) => {
    const u = await gm.gh.store.users.byUsername(username);
    assert.ok(u, username);
    const ms = await gm.gh.store.orgs.membershipsOfUser(u.id);
    return { admin: u.isAdmin, orgId: u.orgId, roles: Object.fromEntries(ms.map((m) => [m.orgId, m.role])) };
  };

  test('the directory cannot demote the last enabled server admin (docs/security.md, one authority): it keeps the flag', async () => {
    // a gatehouse of its own: here lara is the only LDAP server admin
    const g1 = await startGrafana(withLdap(slapd, { group_mappings: mappings, grafana_admin_group: groupDn('admins') }));
    try {
      await slapd.addUser({ uid: 'lara', password: 'lara-pw', cn: 'Lara' });
      await slapd.addToGroup('admins', 'lara');
      await slapd.addToGroup('printers', 'lara');
      const lara = basic('lara', 'lara-pw');
      assert.equal((await g1.req('GET', '/api/user', { headers: lara })).json.isGrafanaAdmin, true);
      const adminId = (await g1.req('GET', '/api/user', { headers: grafanaAdmin() })).json.id;
      const del = await g1.req('DELETE', `/api/admin/users/${adminId}`, { headers: lara });
      assert.equal(del.status, 200, `lara deletes the bootstrap admin: ${del.text}`);
      await slapd.removeFromGroup('admins', 'lara');
      assert.equal((await login(g1, 'lara', 'lara-pw')).status, 200, 'still signs in (printers)');
      const me = await g1.req('GET', '/api/user', { headers: lara });
      assert.equal(me.json.isGrafanaAdmin, true, 'the last enabled server admin keeps the flag the directory took away');
    } finally {
      await g1.stop();
    }
  });

  test('first match per org wins; the admin group makes server admins', async () => {
    for (const [u, p] of [['alice', 'alice-pw'], ['carol', 'carol-pw'], ['dave', 'dave-pw']]) {
      assert.equal((await login(gm, u!, p!)).status, 200, u);
    }
    assert.deepEqual(await roles('alice'), { admin: false, orgId: 1, roles: { 1: 'Editor', 2: 'Viewer' } });
    assert.deepEqual(await roles('carol'), { admin: true, orgId: 1, roles: { 1: 'Admin', 2: 'Editor' } });
    assert.deepEqual(await roles('dave'), { admin: false, orgId: 1, roles: { 1: 'Viewer' } });
    assert.equal((await gm.gh.store.orgs.membership(1, (await gm.gh.store.users.byUsername('alice'))!.id))?.role, 'Editor');
  });

  test('a user in none of the mapped groups cannot log in (Grafana\'s rule)', async () => {
    denied(await login(gm, 'bob', 'bob-pw'), 'no mapped group');
    assert.match(logText(gm), /does not belong to any of the LDAP groups in group_mappings/);
  });

  test('directory changes are applied at the next login: roles up, roles down, admin revoked, stray memberships removed', async () => {
    const dave = (await gm.gh.store.users.byUsername('dave'))!;
    const org3 = (await gm.gh.store.orgs.create('Third')).id;
    await gm.gh.store.orgs.addMember(org3, dave.id, 'Admin'); // not from the directory: LDAP sync removes it
    await slapd.addToGroup('editors', 'dave');
    await slapd.removeFromGroup('admins', 'carol');
    assert.equal((await login(gm, 'dave', 'dave-pw')).status, 200);
    assert.equal((await login(gm, 'carol', 'carol-pw')).status, 200);
    assert.deepEqual(await roles('dave'), { admin: false, orgId: 1, roles: { 1: 'Editor', 2: 'Viewer' } });
    assert.deepEqual(await roles('carol'), { admin: false, orgId: 1, roles: { 1: 'Viewer' } });
    await slapd.addToGroup('admins', 'carol');
    await slapd.removeFromGroup('editors', 'dave');
  });

  test('the Grafana face sees the same LDAP accounts: basic auth, /api/user/orgs', async () => {
    const orgs = await gm.req('GET', '/api/user/orgs', { headers: basic('alice', 'alice-pw') });
    assert.equal(orgs.status, 200, orgs.text);
    const byId = Object.fromEntries(orgs.json.map((o: any) => [o.orgId, o.role]));
    assert.deepEqual(byId, { 1: 'Editor', 2: 'Viewer' });
    const me = await gm.req('GET', '/api/user', { headers: basic('alice', 'alice-pw') });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.login, 'alice');
    assert.equal(me.json.isGrafanaAdmin, false);
    assert.equal((await gm.req('GET', '/api/user', { headers: basic('alice', 'wrong') })).status, 401);
    assert.equal((await gm.req('GET', '/api/user', { headers: basic('alice', '') })).status, 401);
    assert.equal((await gm.req('GET', '/api/user', { headers: basic('*', 'alice-pw') })).status, 401);

    // an account first seen on the Grafana face gets its record and mapped roles too
    await slapd.addUser({ uid: 'gina', password: 'gina-pw', cn: 'Gina' });
    await slapd.addToGroup('admins', 'gina');
    const gina = await gm.req('GET', '/api/user/orgs', { headers: basic('gina', 'gina-pw') });
    assert.equal(gina.status, 200, gina.text);
    assert.deepEqual(Object.fromEntries(gina.json.map((o: any) => [o.orgId, o.role])), { 1: 'Admin', 2: 'Editor' });
    assert.equal((await gm.gh.store.users.byUsername('gina'))?.source, 'ldap');
  });

  test('LDAP users get Grafana sessions (login form) and, as org Admin, API keys', async () => {
    const form = await gm.req('POST', '/login', { body: { user: 'alice', password: 'alice-pw' } });
    assert.equal(form.status, 200, form.text);
    const cookie = cookieHeader(form.headers);
    const me = await gm.req('GET', '/api/user', { headers: { cookie } });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.login, 'alice');
    assert.ok([400, 401].includes((await gm.req('POST', '/login', { body: { user: 'alice', password: '' } })).status), 'empty password');
    assert.equal((await gm.req('POST', '/login', { body: { user: 'alice', password: 'bob-pw' } })).status, 401);

    // carol is Admin of org 1 through the admins group: she can make an API key, which then works
    const key = await gm.req('POST', '/api/auth/keys', { headers: basic('carol', 'carol-pw'), body: { name: 'carol-key', role: 'Viewer' } });
    assert.equal(key.status, 200, key.text);
    const org = await gm.req('GET', '/api/org', { headers: { authorization: `Bearer ${key.json.key}` } });
    assert.equal(org.status, 200, org.text);
    // dave is a Viewer: not allowed
    assert.equal((await gm.req('POST', '/api/auth/keys', { headers: basic('dave', 'dave-pw'), body: { name: 'dave-key', role: 'Viewer' } })).status, 403);
  });

  test('a role change in the directory reaches the Grafana face', async () => {
    await slapd.addUser({ uid: 'hank', password: 'hank-pw', cn: 'Hank' });
    await slapd.addToGroup('printers', 'hank');
    const first = await gm.req('GET', '/api/user/orgs', { headers: basic('hank', 'hank-pw') });
    assert.deepEqual(Object.fromEntries(first.json.map((o: any) => [o.orgId, o.role])), { 1: 'Viewer' });
    await slapd.addToGroup('editors', 'hank');
    // a Moonraker login re-reads the directory and applies the change
    assert.equal((await login(gm, 'hank', 'hank-pw')).status, 200);
    const after = await gm.req('GET', '/api/user/orgs', { headers: basic('hank', 'hank-pw') });
    assert.deepEqual(Object.fromEntries(after.json.map((o: any) => [o.orgId, o.role])), { 1: 'Editor', 2: 'Viewer' });
  });
});


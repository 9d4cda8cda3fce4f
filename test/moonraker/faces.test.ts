// One account set, two faces, with the shipped defaults (both faces on): how
// the Grafana face's bootstrap admin looks from the Moonraker face, and how a
// Moonraker account looks from the Grafana face (README, "One account set, two faces").
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, type Running } from '../helpers/server.js';
import { apiKey, assertError, createUser, login, resultOf, whoami } from './helpers.js';

const basic = (user: string, password: string) => ({ authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') });

describe('one account set, two faces (shipped defaults, force_logins and a trusted client as in Mainsail\'s set-up)', () => {
  let s: Running;
  let adminPassword: string;
  before(async () => {
    s = await startGatehouse({ authorization: { force_logins: true, trusted_clients: ['127.0.0.1'] } });
    adminPassword = s.gh.core.bootstrap!.generatedPassword!;
  });
  after(() => s.stop());

  test('the Grafana face\'s bootstrap admin does not count toward Moonraker\'s "a user exists": login_required stays false', async () => {
    const info = resultOf(await s.req('GET', '/access/info'));
    assert.equal(info.login_required, false);
    assert.equal(info.trusted, true);
    assert.equal(resultOf(await whoami(s)).username, '_TRUSTED_USER_');
  });

  test('differs from Moonraker: a fresh store already has one account, the Grafana face\'s bootstrap admin: listed, and it logs in (it does not count toward login_required)', async () => {
    assert.deepEqual(resultOf(await s.req('GET', '/access/users/list')).users.map((u: { username: string }) => u.username), ['admin']);
    const u = await login(s, 'admin', adminPassword);
    assert.equal(u.username, 'admin');
  });

  test('the trusted client creates the first Moonraker user; from then on force_logins takes effect', async () => {
    const created = resultOf(await s.req('POST', '/access/user', { body: { username: 'maker', password: 'maker-pw' } }));
    assert.equal(created.action, 'user_created');
    assert.equal(resultOf(await s.req('GET', '/access/info')).login_required, true);
    assertError(await whoami(s), 401, 'Unauthorized, Force Logins Enabled');
  });

  test('a Moonraker account signs in on the Grafana face (Basic auth), as a Viewer of the default org', async () => {
    const me = await s.req('GET', '/api/user', { headers: basic('maker', 'maker-pw') });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.login, 'maker');
    assert.equal(me.json.isGrafanaAdmin, false);
    const orgs = await s.req('GET', '/api/user/orgs', { headers: basic('maker', 'maker-pw') });
    assert.deepEqual(orgs.json, [{ orgId: 1, name: 'Main Org.', role: 'Viewer' }]);
  });

  test('a deletion on the Moonraker face is seen at once on the Grafana face', async () => {
    await createUser(s, 'leaver', 'leaver-pw');
    assert.equal((await s.req('GET', '/api/user', { headers: basic('leaver', 'leaver-pw') })).status, 200);
    resultOf(await s.req('DELETE', '/access/user', { body: { username: 'leaver' }, headers: apiKey(s) }));
    assert.equal((await s.req('GET', '/api/user', { headers: basic('leaver', 'leaver-pw') })).status, 401);
  });

  test('when every account but the bootstrap admin is gone, login_required is false again', async () => {
    resultOf(await s.req('DELETE', '/access/user', { body: { username: 'maker' }, headers: apiKey(s) }));
    assert.equal(resultOf(await s.req('GET', '/access/info')).login_required, false);
    assert.equal(resultOf(await whoami(s)).username, '_TRUSTED_USER_');
  });
});

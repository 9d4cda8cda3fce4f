// GET /access/info: {default_source, available_sources, login_required, trusted}, no auth needed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, type Running } from '../helpers/server.js';
import { apiKey, assertError, createUser, reqFrom, resultOf } from './helpers.js';

describe('defaults', () => {
  let s: Running;
  before(async () => { s = await startGatehouse(); });
  after(() => s.stop());

  test('exact result with no credentials: moonraker source only, no login required, not trusted', async () => {
    const r = resultOf(await s.req('GET', '/access/info'));
    assert.deepEqual(Object.keys(r), ['default_source', 'available_sources', 'login_required', 'trusted']);
    assert.deepEqual(r, { default_source: 'moonraker', available_sources: ['moonraker'], login_required: false, trusted: false });
  });

  test('the API key does not make the caller "trusted" (trusted is about the address)', async () => {
    assert.equal(resultOf(await s.req('GET', '/access/info', { headers: apiKey(s) })).trusted, false);
  });

  test('login_required stays false with users when force_logins is off', async () => {
    await createUser(s, 'ivy', 'pw-ivy');
    assert.equal(resultOf(await s.req('GET', '/access/info')).login_required, false);
  });

  test('query arguments are ignored', async () => {
    assert.equal(resultOf(await s.req('GET', '/access/info?trusted=true&login_required=true')).trusted, false);
  });

  test('POST is 405 "Method Not Allowed"', async () => {
    assertError(await s.req('POST', '/access/info'), 405, 'Method Not Allowed');
  });
});

describe('force_logins with a user, untrusted caller', () => {
  let s: Running;
  before(async () => {
    s = await startGatehouse({ authorization: { force_logins: true, trusted_clients: ['127.0.0.2'] } });
    await createUser(s, 'gus', 'pw-gus');
  });
  after(() => s.stop());

  test('answers without credentials even though logins are forced: login_required true, trusted false', async () => {
    assert.deepEqual(resultOf(await s.req('GET', '/access/info')), { default_source: 'moonraker', available_sources: ['moonraker'], login_required: true, trusted: false });
  });

  test('the trusted address (127.0.0.2) still reads trusted: true while force_logins refuses it elsewhere', async () => {
    const r = await reqFrom(s, '127.0.0.2', 'GET', '/access/info');
    assert.deepEqual(r.json, { result: { default_source: 'moonraker', available_sources: ['moonraker'], login_required: true, trusted: true } });
    assertError(await reqFrom(s, '127.0.0.2', 'GET', '/access/user'), 401, 'Unauthorized, Force Logins Enabled');
  });
});

describe('sources', () => {
  test('default_source "ldap" with no [ldap]: reported as configured, available_sources is ["moonraker"], and a login without source is 401 "LDAP authentication not available"', async () => {
    const s = await startGatehouse({ authorization: { default_source: 'ldap' } });
    try {
      assert.deepEqual(resultOf(await s.req('GET', '/access/info')), { default_source: 'ldap', available_sources: ['moonraker'], login_required: false, trusted: false });
      await s.gh.core.accounts.create({ username: 'loc', password: 'pw-loc', source: 'moonraker', actor: null });
      assertError(await s.req('POST', '/access/login', { body: { username: 'loc', password: 'pw-loc' } }), 401, 'LDAP authentication not available');
      assert.equal(resultOf(await s.req('POST', '/access/login', { body: { username: 'loc', password: 'pw-loc', source: 'moonraker' } })).username, 'loc');
    } finally {
      await s.stop();
    }
  });

  test('with [ldap] configured, available_sources is ["moonraker", "ldap"]', async () => {
    const s = await startGatehouse({ ldap: { ldap_host: '127.0.0.1', ldap_port: 9, base_dn: 'dc=example,dc=org' } });
    try {
      assert.deepEqual(resultOf(await s.req('GET', '/access/info')).available_sources, ['moonraker', 'ldap']);
    } finally {
      await s.stop();
    }
  });
});

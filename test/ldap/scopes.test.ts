// [ldap] scope_mappings (issue 20): an LDAP user's Moonraker scope comes from its
// groups, first matching line wins, applied at each login like the Grafana role
// mappings; against a real slapd, over real HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, type Running } from '../helpers/server.js';
import { configSchema } from '../../src/config/index.js';
import { groupDn, startSlapd, type Slapd } from './slapd.js';
import { ldapOptions, login, withLdap } from './helpers.js';

let slapd: Slapd;
let g: Running;
before(async () => {
  slapd = await startSlapd();
  // scope_mappings set (the shipped default has none): what this suite is about
  g = await startGatehouse(withLdap(slapd, { scope_mappings: [`${groupDn('admins')} => admin`, `${groupDn('editors')} => control`] }));
});
after(async () => {
  await g?.stop();
  await slapd?.close();
});

async function scopeAfterLogin(username: string) {
  const r = await login(g, username, `${username}-pw`);
  assert.equal(r.status, 200, r.text);
  const me = await g.req('GET', '/access/user', { headers: { authorization: `Bearer ${r.json.result.token}` } });
  return me.json.result.scope as string;
}

test('first matching group wins; a user no line matches gets read', async () => {
  assert.equal(await scopeAfterLogin('carol'), 'admin');
  assert.equal(await scopeAfterLogin('alice'), 'control');
  assert.equal(await scopeAfterLogin('dave'), 'read');
});

test('a directory change applies at the next login, and the scope is enforced', async () => {
  await slapd.addToGroup('editors', 'dave');
  try {
    assert.equal(await scopeAfterLogin('dave'), 'control');
  } finally {
    await slapd.removeFromGroup('editors', 'dave');
  }
  assert.equal(await scopeAfterLogin('dave'), 'read');
  const token = (await login(g, 'dave', 'dave-pw')).json.result.token;
  const r = await g.req('GET', '/access/users/list', { headers: { authorization: `Bearer ${token}` } });
  assert.equal(r.status, 403);
});

test('the option\'s lines are checked at start-up', () => {
  const parse = (over: Record<string, unknown>) => configSchema.parse({ ldap: ldapOptions(slapd, over) });
  assert.throws(() => parse({ scope_mappings: 'cn=x => owner' }), /scope_mappings/);
  assert.deepEqual(parse({ scope_mappings: `${groupDn('x')}=>Control` }).ldap!.scope_mappings, [{ group_dn: groupDn('x'), scope: 'control' }]);
  assert.deepEqual(parse({ scope_mappings: [{ group_dn: '*', scope: 'read' }] }).ldap!.scope_mappings, [{ group_dn: '*', scope: 'read' }]);
});

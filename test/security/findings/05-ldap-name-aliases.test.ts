// Issue 17, finding 5 (medium): LDAP name aliases. The directory matches `uid`
// case-insensitively and ignores leading and trailing spaces (caseIgnoreMatch),
// so `BOB`, ` bob` and `bob  ` bind to the same entry as `bob`; gatehouse
// makes each spelling a separate account (its own tokens, org roles, records)
// and, since the per-account lockout is keyed on the typed name, a
// space-padded spelling escapes a lockout of `bob`.
// Expected: an LDAP login maps to the directory entry's canonical name (its
// uid as stored): every spelling signs in as `bob` (the login answer's
// `username`), there is one gatehouse account for the entry, and failures
// under any spelling count against one lockout budget ([limits]
// login_attempts_per_user), so once it is spent the right password is refused
// with 429 under every spelling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, type Running } from '../../helpers/server.js';
import { startSlapd, type Slapd } from '../../ldap/slapd.js';
import { login, withLdap } from '../../ldap/helpers.js';

// ---- option overrides: [limits] login_attempts_per_user = 3, login_attempts_per_ip off (0) ----
const PER_USER = 3;
const LIMITS = { limits: { login_attempts_per_user: PER_USER, login_attempts_per_ip: 0 } };

const SPELLINGS = ['bob', 'BOB', ' bob', 'bob ', '  Bob'];

let slapd: Slapd;
before(async () => { slapd = await startSlapd(); });
after(async () => { await slapd?.close(); });

async function accountsLike(g: Running, name: string): Promise<string[]> {
  const r = await g.req('GET', '/access/users/list', { headers: { 'x-api-key': g.apiKey() } });
  assert.equal(r.status, 200, r.text);
  return r.json.result.users.map((u: { username: string }) => u.username).filter((u: string) => u.trim().toLowerCase() === name);
}

test('every spelling of a directory entry signs in as its one account', async () => {
  const g = await startGatehouse(withLdap(slapd, {}, LIMITS as never));
  try {
    for (const name of SPELLINGS) {
      const r = await login(g, name, 'bob-pw');
      assert.equal(r.status, 200, `${JSON.stringify(name)}: ${r.text}`);
      assert.equal(r.json.result.username, 'bob', `${JSON.stringify(name)} signed in as ${JSON.stringify(r.json.result.username)}`);
      const me = await g.req('GET', '/access/user', { headers: { authorization: `Bearer ${r.json.result.token}` } });
      assert.equal(me.json?.result?.username, 'bob', me.text);
    }
    assert.deepEqual(await accountsLike(g, 'bob'), ['bob'], 'one gatehouse account for one directory entry');
    // the Grafana face (Basic) resolves to the same account
    for (const name of SPELLINGS) {
      const r = await g.req('GET', '/api/user', { headers: { authorization: 'Basic ' + Buffer.from(`${name}:bob-pw`).toString('base64') } });
      assert.equal(r.status, 200, `${JSON.stringify(name)} on the Grafana face: ${r.text}`);
      assert.equal(r.json.login, 'bob', `${JSON.stringify(name)} on the Grafana face is ${JSON.stringify(r.json.login)}`);
    }
    assert.deepEqual(await accountsLike(g, 'bob'), ['bob'], 'still one account after the Grafana face');
  } finally {
    await g.stop();
  }
});

test('a padded or re-cased name does not escape the lockout; failures under any spelling spend one budget', async () => {
  const g = await startGatehouse(withLdap(slapd, {}, LIMITS as never));
  try {
    // bob: the budget spent under the plain name; no other spelling gets past the lock
    for (let i = 0; i < PER_USER; i++) assert.equal((await login(g, 'bob', `wrong-${i}`)).status, 401);
    for (const name of SPELLINGS) {
      const r = await login(g, name, 'bob-pw');
      assert.equal(r.status, 429, `the right password as ${JSON.stringify(name)} after ${PER_USER} failures as "bob": ${r.status} ${r.text}`);
      assert.match(r.json.error.message, /Too many failed login attempts for this account/);
    }
    // carol: one failure under each of three spellings spends the entry's budget as well
    for (const name of ['carol', ' carol', 'CAROL ']) assert.equal((await login(g, name, 'wrong-pw')).status, 401, JSON.stringify(name));
    for (const name of ['carol', 'Carol', ' carol']) {
      const r = await login(g, name, 'carol-pw');
      assert.equal(r.status, 429, `the right password as ${JSON.stringify(name)} after ${PER_USER} failures over three spellings: ${r.status} ${r.text}`);
    }
    assert.deepEqual([...await accountsLike(g, 'bob'), ...await accountsLike(g, 'carol')], [], 'a locked-out login created no account');
  } finally {
    await g.stop();
  }
});

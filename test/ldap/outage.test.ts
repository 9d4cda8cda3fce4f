// The directory down (slapd stopped) or hung (slapd frozen with SIGSTOP: the
// kernel still accepts connections, nobody answers): LDAP logins fail within
// timeout_ms with a 503 naming LDAP, never a 500; local users log in meanwhile;
// and when slapd is back the same gatehouse logs LDAP users in again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, type Running } from '../helpers/server.js';
import { startSlapd, type Slapd } from './slapd.js';
import { login, logText, mkLocal, withLdap } from './helpers.js';

const TIMEOUT_MS = 1500;
let slapd: Slapd;
let g: Running;

before(async () => {
  slapd = await startSlapd();
  // lockouts on, low: a directory outage must not count as password guesses
  g = await startGatehouse(withLdap(slapd, { timeout_ms: TIMEOUT_MS }, { limits: { login_attempts_per_user: 3, login_attempts_per_ip: 5 } }));
  await mkLocal(g, 'localuser', 'local-pw');
});
after(async () => {
  slapd?.resume();
  await g?.stop();
  await slapd?.close();
});

test('directory stopped: 503 naming LDAP at once, local users unaffected, LDAP back without restart', async () => {
  assert.equal((await login(g, 'alice', 'alice-pw')).status, 200);
  await slapd.stop();
  for (let i = 0; i < 6; i++) {
    const r = await login(g, 'alice', 'alice-pw');
    assert.equal(r.status, 503, r.text);
    assert.deepEqual(r.json, { error: { code: 503, message: 'LDAP error: the directory is unreachable' } });
  }
  const local = await login(g, 'localuser', 'local-pw', 'moonraker');
  assert.equal(local.status, 200, local.text);
  assert.match(logText(g), /LDAP authentication failed: the directory is unreachable/);
  assert.match(logText(g), /ECONNREFUSED/);

  await slapd.start();
  const back = await login(g, 'alice', 'alice-pw');
  assert.equal(back.status, 200, `after the outage (which must not have locked alice out): ${back.text}`);
});

test('directory hung: 503 within timeout_ms while local logins go through; recovery when it answers again', async () => {
  await slapd.pause();
  try {
    let ldapDone = false;
    const ldap = login(g, 'alice', 'alice-pw').finally(() => { ldapDone = true; });
    // while that attempt waits on the frozen directory, a local login is not held up
    const local = await login(g, 'localuser', 'local-pw', 'moonraker');
    assert.equal(local.status, 200);
    assert.equal(ldapDone, false, 'the local login finished while the LDAP attempt was still waiting');
    const r = await ldap;
    // the attempt ended on gatehouse's own deadline, not on anything the frozen directory did
    assert.equal(r.status, 503, r.text);
    assert.deepEqual(r.json, { error: { code: 503, message: `LDAP error: the directory did not answer within ${TIMEOUT_MS} ms` } });

    // several at once are each bounded too
    const many = await Promise.all([1, 2, 3].map(() => login(g, 'bob', 'bob-pw')));
    for (const x of many) assert.equal(x.json?.error?.message, `LDAP error: the directory did not answer within ${TIMEOUT_MS} ms`);
  } finally {
    slapd.resume();
  }
  const back = await login(g, 'alice', 'alice-pw');
  assert.equal(back.status, 200, back.text);
  assert.equal((await login(g, 'alice', 'wrong')).status, 401, 'and wrong passwords are refused again, not 503');
});

test('never a 500: no unhandled error was logged through the outages', () => {
  assert.doesNotMatch(logText(g), /unhandled error|Internal Server Error/);
});

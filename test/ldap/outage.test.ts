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
  g = await startGatehouse(withLdap(slapd, { timeoutMs: TIMEOUT_MS }, { core: { loginAttemptsPerUser: 3, loginAttemptsPerIp: 5 } }));
  await mkLocal(g, 'localuser', 'local-pw');
});
after(async () => {
  slapd?.resume();
  await g?.stop();
  await slapd?.close();
});

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; r: T }> {
  const t0 = performance.now();
  const r = await fn();
  return { ms: performance.now() - t0, r };
}

test('directory stopped: 503 naming LDAP at once, local users unaffected, LDAP back without restart', async () => {
  assert.equal((await login(g, 'alice', 'alice-pw')).status, 200);
  await slapd.stop();
  for (let i = 0; i < 6; i++) {
    const { ms, r } = await timed(() => login(g, 'alice', 'alice-pw'));
    assert.equal(r.status, 503, r.text);
    assert.deepEqual(r.json, { error: { code: 503, message: 'LDAP error: the directory is unreachable' } });
    assert.ok(ms < TIMEOUT_MS, `refused connections fail fast (${ms} ms)`);
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
    const ldap = timed(() => login(g, 'alice', 'alice-pw'));
    // while that attempt waits on the frozen directory, a local login is not held up
    const local = await timed(() => login(g, 'localuser', 'local-pw', 'moonraker'));
    assert.equal(local.r.status, 200);
    assert.ok(local.ms < TIMEOUT_MS, `local login took ${local.ms} ms`);
    const { ms, r } = await ldap;
    assert.equal(r.status, 503, r.text);
    assert.deepEqual(r.json, { error: { code: 503, message: `LDAP error: the directory did not answer within ${TIMEOUT_MS} ms` } });
    assert.ok(ms >= TIMEOUT_MS - 50, `waited the timeout (${ms} ms)`);
    assert.ok(ms < TIMEOUT_MS + 1000, `bounded by the timeout (${ms} ms)`);

    // several at once are each bounded too
    const many = await Promise.all([1, 2, 3].map(() => timed(() => login(g, 'bob', 'bob-pw'))));
    for (const { ms: m, r: x } of many) {
      assert.equal(x.status, 503);
      assert.ok(m < TIMEOUT_MS + 1000, `${m} ms`);
    }
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

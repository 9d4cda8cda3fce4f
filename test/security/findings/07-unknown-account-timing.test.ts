// Issue 17, finding 7 (low): timing reveals which logins exist. A wrong
// password for a known account costs an argon2 verification (13–20 ms); an
// unknown account is refused without one (about 3 ms), so an attacker can
// list the accounts (on the Grafana face, logins and e-mail addresses).
// Expected: an unknown account costs the same password-hash work as a known
// one with a wrong password (a verification against a dummy hash), on every
// face and transport: Grafana Basic auth, POST /login, Moonraker's
// /access/login and the websocket's access.login.
//
// Not black-box: timing assertions are not allowed in the suite and no
// black-box counter exists yet, so this test counts the jobs given to the
// password-hashing threads through the hash pool's public interface
// (`hashPool.run`, wrapped by node:test's mock) while a real server, in this
// process, answers real HTTP and websocket requests. When the server exposes
// hash-pool counters (Prometheus /metrics, planned with the multi-instance
// work), read them instead of the mock.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { hashPool, type HashJob } from '../../../src/core/security/hash-pool.js';
import { startGatehouse, type Running } from '../../helpers/server.js';
import { mkUser } from '../../grafana/helpers.js';
import { RpcClient } from '../../websocket/client.js';
import { basicAuth, send, within } from './helpers.js';

// ---- option overrides: none (the lockouts stay at their defaults; every attempt below uses its own name or address) ----

type Attempt = (s: Running, login: string, password: string, i: number) => Promise<void>;

const FACES: [string, Attempt][] = [
  ['Grafana Basic auth', async (s, login, password, i) => {
    const r = await send(s.port, { method: 'GET', path: '/api/org', localAddress: `127.0.0.${40 + i}`, headers: basicAuth(login, password) });
    assert.equal(r.status, 401, r.text);
  }],
  ['Grafana POST /login', async (s, login, password, i) => {
    const r = await send(s.port, { method: 'POST', path: '/login', localAddress: `127.0.0.${50 + i}`, json: { user: login, password } });
    assert.equal(r.status, 401, r.text);
  }],
  ['Moonraker /access/login', async (s, login, password, i) => {
    const r = await send(s.port, { method: 'POST', path: '/access/login', localAddress: `127.0.0.${60 + i}`, json: { username: login, password } });
    assert.equal(r.status, 400, r.text);
  }],
  ['Moonraker websocket access.login', async (s, login, password, i) => {
    const c = await RpcClient.open(s.port, { localAddress: `127.0.0.${70 + i}` });
    try {
      const a = await c.call('access.login', { username: login, password });
      assert.equal(a.error?.code, 400, JSON.stringify(a));
    } finally {
      await within(c.close(), 3000);
    }
  }],
];

test('an unknown account costs the same password-hash work as a known one, on every face', async () => {
  const s = await startGatehouse();
  const jobs: HashJob['op'][] = [];
  try {
    for (let i = 0; i < FACES.length; i++) await mkUser(s, `known${i}`, 'right-password');
    const run = hashPool.run.bind(hashPool);
    mock.method(hashPool, 'run', (job: HashJob) => {
      jobs.push(job.op);
      return run(job);
    });
    const work: string[] = [];
    for (const [i, [face, attempt]] of FACES.entries()) {
      jobs.length = 0;
      await attempt(s, `known${i}`, 'wrong-password', 0);
      const known = [...jobs];
      jobs.length = 0;
      await attempt(s, `nobody${i}`, 'wrong-password', 1);
      const unknown = [...jobs];
      assert.ok(known.length >= 1, `${face}: a wrong password for a known account ran no hash (${known.join(', ')})`);
      if (unknown.length !== known.length) work.push(`${face}: known account ${known.length} hash job(s) [${known.join(', ')}], unknown account ${unknown.length} [${unknown.join(', ')}]`);
    }
    assert.deepEqual(work, [], 'unknown accounts are refused with less password-hash work than known ones');
  } finally {
    mock.restoreAll();
    await s.stop();
  }
});

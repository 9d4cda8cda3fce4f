// Issue 17, tidy: the store's `login_attempts` table is never pruned when the
// failures are the Grafana face's only. Pruning of old rows runs only when the
// Moonraker face records a failure, so a server whose password guesses arrive
// through Basic auth or POST /login keeps every row forever (a table an
// attacker can grow at will). Expected: any face's failure prunes rows older
// than the longest window that reads them (as the Moonraker face's do),
// leaving recent rows alone.
//
// Not black-box: the table is observable only through the store, so this test
// writes old rows with the store's `loginAttempts.add` and counts them with
// `loginAttempts.countByUsername`, around real Grafana-face requests over HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse } from '../../helpers/server.js';
import { basicAuth, eventually, send } from './helpers.js';

// ---- option overrides: none (shipped defaults: [limits] lockout_seconds = 300, Grafana's 5-minute window) ----

test('Grafana-face failures prune login_attempts rows older than the windows', async () => {
  const s = await startGatehouse();
  try {
    const store = s.gh.store;
    const now = Date.now();
    for (let i = 0; i < 20; i++) await store.loginAttempts.add('stale-user', `127.0.0.${100 + i}`, now - 2 * 3600_000 - i * 1000);
    for (let i = 0; i < 2; i++) await store.loginAttempts.add('recent-user', '127.0.0.99', now - 60_000);
    assert.equal(await store.loginAttempts.countByUsername('stale-user', 0), 20);

    // failures on the Grafana face only: Basic auth and the login form
    for (let i = 0; i < 2; i++) {
      assert.equal((await send(s.port, { method: 'GET', path: '/api/org', headers: basicAuth('someone', `guess-${i}`) })).status, 401);
      assert.equal((await send(s.port, { method: 'POST', path: '/login', json: { user: 'someone', password: `guess-${i}` } })).status, 401);
    }

    const pruned = await eventually(async () => (await store.loginAttempts.countByUsername('stale-user', 0)) === 0, 5000, 100);
    assert.ok(pruned, `rows 2 hours old are still there after Grafana-face failures: ${await store.loginAttempts.countByUsername('stale-user', 0)}`);
    // must hold: recent rows stay
    assert.equal(await store.loginAttempts.countByUsername('recent-user', 0), 2);
  } finally {
    await s.stop();
  }
});

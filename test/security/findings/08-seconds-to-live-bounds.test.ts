// Issue 17, finding 8 (low): a `secondsToLive` beyond what a date can hold is
// accepted (POST /api/auth/keys, POST /api/serviceaccounts/:id/tokens); the
// key's expiry is then past JavaScript's last date (8.64e15 ms), and the org's
// key list and the account's token list answer 500 for as long as it exists.
// Expected: such a value is a 400 (Grafana's `{"message"}` body) at input and
// nothing is created; the lists keep answering 200. Sane values keep working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, startGrafana } from '../../grafana/helpers.js';

/** The last instant a JavaScript date holds, in ms since the epoch. */
const MAX_DATE_MS = 8.64e15;
const OUT_OF_RANGE = [
  1e20,
  Number.MAX_SAFE_INTEGER,
  MAX_DATE_MS / 1000 + 1,
  // the smallest TTL that ends past the last date, from now
  Math.ceil((MAX_DATE_MS - Date.now()) / 1000) + 60,
];

test('secondsToLive past the last representable date is a 400; key and token lists keep answering 200', async () => {
  const s = await startGrafana();
  try {
    const sa = await s.req('POST', '/api/serviceaccounts', { headers: admin(), body: { name: 'robot', role: 'Viewer' } });
    assert.equal(sa.status, 201, sa.text);
    const saId = sa.json.id;

    for (const [i, ttl] of OUT_OF_RANGE.entries()) {
      const key = await s.req('POST', '/api/auth/keys', { headers: admin(), body: { name: `far-key-${i}`, role: 'Viewer', secondsToLive: ttl } });
      assert.equal(key.status, 400, `POST /api/auth/keys secondsToLive=${ttl}: ${key.status} ${key.text}`);
      assert.equal(typeof key.json?.message, 'string', key.text);
      const token = await s.req('POST', `/api/serviceaccounts/${saId}/tokens`, { headers: admin(), body: { name: `far-token-${i}`, secondsToLive: ttl } });
      assert.equal(token.status, 400, `POST /api/serviceaccounts/${saId}/tokens secondsToLive=${ttl}: ${token.status} ${token.text}`);
      assert.equal(typeof token.json?.message, 'string', token.text);

      for (const path of ['/api/auth/keys', '/api/auth/keys?includeExpired=true', `/api/serviceaccounts/${saId}/tokens`]) {
        const list = await s.req('GET', path, { headers: admin() });
        assert.equal(list.status, 200, `GET ${path} after secondsToLive=${ttl}: ${list.status} ${list.text}`);
        assert.ok(Array.isArray(list.json), list.text);
      }
    }

    // must hold: an ordinary TTL still makes a key and a token that are listed with their expiry
    const day = await s.req('POST', '/api/auth/keys', { headers: admin(), body: { name: 'one-day', role: 'Viewer', secondsToLive: 86_400 } });
    assert.equal(day.status, 200, day.text);
    const dayToken = await s.req('POST', `/api/serviceaccounts/${saId}/tokens`, { headers: admin(), body: { name: 'one-day-token', secondsToLive: 86_400 } });
    assert.equal(dayToken.status, 200, dayToken.text);
    const keys = await s.req('GET', '/api/auth/keys', { headers: admin() });
    assert.equal(keys.status, 200, keys.text);
    assert.deepEqual(keys.json.map((k: { name: string }) => k.name), ['one-day']);
    const tokens = await s.req('GET', `/api/serviceaccounts/${saId}/tokens`, { headers: admin() });
    assert.equal(tokens.status, 200, tokens.text);
    assert.deepEqual(tokens.json.map((k: { name: string }) => k.name), ['one-day-token']);
  } finally {
    await s.stop();
  }
});

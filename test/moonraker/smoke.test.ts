import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse } from '../helpers/server.js';

test('server answers /access/info over real HTTP', async () => {
  const s = await startGatehouse();
  try {
    const r = await s.req('GET', '/access/info');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { result: { default_source: 'moonraker', available_sources: ['moonraker'], login_required: false, trusted: false } });
  } finally {
    await s.stop();
  }
});

// Request logs: above log level debug only failed requests are logged (one line
// each: method, scrubbed URL, address, status), as Grafana does with
// router_logging off; at debug every request is, as Fastify logs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse } from '../helpers/server.js';

const lines = (logs: string[]) => logs.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l));

test('at log level info a failed request is logged once, with its status and a scrubbed URL; a successful one is not', async () => {
  const s = await startGatehouse({ gatehouse: { log_level: 'info', grafana_enabled: true }, security: { admin_password: 'request-logs-admin-pw' } });
  try {
    assert.equal((await s.req('GET', '/access/info')).status, 200);
    assert.equal((await s.req('GET', '/access/user', { headers: { 'x-api-key': s.apiKey() } })).status, 200);
    assert.equal((await s.req('GET', '/access/user?token=not-a-oneshot-token')).status, 401);
    assert.equal((await s.req('GET', '/no/such/path')).status, 404);
    assert.equal((await s.req('GET', '/api/org')).status, 401);
    assert.equal((await s.req('POST', '/access/login', { raw: '{nope', headers: { 'content-type': 'application/json' } })).status, 400);
    await new Promise((r) => setTimeout(r, 50));
    const requests = lines(s.logs).filter((l) => l.req || l.res);
    assert.deepEqual(requests.map((l) => [l.msg, l.req?.method, l.req?.url, l.res?.statusCode]), [
      ['request failed', 'GET', '/access/user?token=[redacted]', 401],
      ['request failed', 'GET', '/no/such/path', 404],
      ['request failed', 'GET', '/api/org', 401],
      ['request failed', 'POST', '/access/login', 400],
    ]);
    for (const l of requests) {
      assert.equal(l.level, 30);
      assert.equal(l.req.remoteAddress, '127.0.0.1');
      assert.match(l.reqId, /^req-/);
    }
  } finally {
    await s.stop();
  }
});

test('at log level debug every request is logged, successful ones included', async () => {
  const s = await startGatehouse({ gatehouse: { log_level: 'debug' } });
  try {
    assert.equal((await s.req('GET', '/access/info')).status, 200);
    await new Promise((r) => setTimeout(r, 50));
    const msgs = lines(s.logs).filter((l) => l.req?.url === '/access/info' || l.res).map((l) => [l.msg, l.res?.statusCode]);
    assert.deepEqual(msgs, [['incoming request', undefined], ['request completed', 200]]);
  } finally {
    await s.stop();
  }
});

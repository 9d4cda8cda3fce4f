// Issue 21 point 7: GET /metrics in Prometheus' text format, off by default; with
// [gatehouse] metrics_port it has a listener of its own, and metrics_token guards it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, bearer, moonrakerLogin, startCluster } from '../helpers/instances.js';
import { startGatehouse } from '../helpers/server.js';

test('off by default: /metrics is nothing on the faces\' listener', async () => {
  const s = await startGatehouse();
  try {
    assert.equal((await s.req('GET', '/metrics')).status, 404);
    assert.equal(s.gh.metricsAddress(), undefined);
  } finally {
    await s.stop();
  }
});

test('metrics_port and metrics_token: requests by face and status, logins, store latency, hash queue, channel state and the invalidation lag between two instances', async () => {
  // metrics on (an option): each instance on a free port of its own, behind a token
  const cluster = await startCluster(2, 'metrics_port: 0\nmetrics_token: scrape-me\n');
  try {
    const [a, b] = cluster.nodes;
    const metricsUrl = (out: string) => /metrics on (http:\/\/\S+)/.exec(out)![1]!;
    const { token } = await moonrakerLogin(a!, 'admin', ADMIN_PASSWORD);
    assert.equal((await b!.req('GET', '/access/user', { headers: bearer(token) })).status, 200);
    await a!.req('POST', '/access/login', { body: { username: 'admin', password: 'wrong' } });
    await a!.req('POST', '/access/logout', { headers: bearer(token) }); // a change B hears: one lag sample
    await new Promise((r) => setTimeout(r, 200));

    const urlA = metricsUrl(a!.output());
    assert.doesNotMatch(urlA, new RegExp(`:${a!.port}/`), 'a listener of its own');
    assert.equal((await fetch(urlA)).status, 401);
    assert.equal((await fetch(urlA, { headers: { authorization: 'Bearer nope' } })).status, 401);
    const ra = await fetch(urlA, { headers: { authorization: 'Bearer scrape-me' } });
    assert.equal(ra.status, 200);
    assert.match(ra.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    const textA = await ra.text();
    assert.match(textA, /^gatehouse_http_requests_total\{face="moonraker",status="200"\} [1-9]/m);
    assert.match(textA, /^gatehouse_logins_total\{outcome="login_ok"\} 1$/m);
    assert.match(textA, /^gatehouse_logins_total\{outcome="login_failed"\} 1$/m);
    assert.match(textA, /^gatehouse_store_call_duration_seconds_count\{method="sessions.create",ok="true"\} [1-9]/m);
    assert.match(textA, /^gatehouse_hash_pool_queue_depth 0$/m);
    assert.match(textA, /^gatehouse_change_channel_up 1$/m);
    assert.match(textA, /^gatehouse_coherent 1$/m);
    assert.match(textA, /^gatehouse_process_resident_memory_bytes /m);

    const textB = await (await fetch(metricsUrl(b!.output()), { headers: { authorization: 'Bearer scrape-me' } })).text();
    const lagCount = Number(/^gatehouse_invalidation_lag_seconds_count (\d+)$/m.exec(textB)?.[1]);
    assert.ok(lagCount >= 1, textB.split('\n').filter((l) => l.includes('lag')).join('\n'));
    assert.match(textB, /^gatehouse_credential_store_lookups\{kind="queries"\} \d+$/m);
  } finally {
    await cluster.stop();
  }
});

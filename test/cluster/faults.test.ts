// Issue 21 point 5: gatehouse's PostgreSQL connections killed (pg_terminate_backend)
// mid-traffic: every answer in that window is the request's success or a 503 in
// the face's envelope (never a 500, never a hang: each request has a bound), and
// the instances recover by themselves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { ADMIN_PASSWORD, basic, bearer, moonrakerLogin, startCluster } from '../helpers/instances.js';

const PG_ADMIN_URL = process.env.GATEHOUSE_TEST_PG_ADMIN ?? 'postgres://postgres@127.0.0.1:5432/test';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function terminateAll(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    const r = await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [new URL(url).pathname.slice(1)]);
    return r.rowCount ?? 0;
  } finally {
    await c.end();
  }
}

test('pg_terminate_backend of every gatehouse connection mid-traffic: only successes and 503s in each face\'s envelope, then both instances recover by themselves', async (t) => {
  const cluster = await startCluster(2);
  const [a, b] = cluster.nodes;
  try {
    const { token } = await moonrakerLogin(a!, 'admin', ADMIN_PASSWORD);
    const admin = basic('admin', ADMIN_PASSWORD);
    const seen: { face: string; status: number; body: any }[] = [];
    let n = 0;
    let stop = false;
    // A request that fails at the transport (the instance gone, the connection reset) is recorded as status 0.
    const send = (node: typeof a, method: string, path: string, o: Parameters<typeof node.req>[2]) =>
      node!.req(method, path, o).catch((err: Error) => ({ status: 0, json: { transport: `${err.message}: ${(err.cause as Error)?.message}`, exited: node!.proc.exitCode, output: node!.output().slice(-2000) } }));
    const loop = async () => {
      while (!stop) {
        for (const node of [a!, b!]) {
          const m = await send(node, 'GET', '/access/user', { headers: bearer(token) });
          seen.push({ face: 'moonraker', status: m.status, body: m.json });
          // a write each time: these reach the store
          const g = await send(node, 'POST', '/api/auth/keys', { headers: admin, body: { name: `fault-${n++}`, role: 'Viewer' } });
          seen.push({ face: 'grafana', status: g.status, body: g.json });
        }
      }
    };
    const loops = [loop(), loop(), loop()];
    await sleep(1000);
    assert.ok((await terminateAll(cluster.url)) >= 2, 'pool and listener connections of both instances');
    await sleep(300);
    assert.ok((await terminateAll(cluster.url)) >= 1, 'again, while they reconnect');
    await sleep(1500);
    stop = true;
    await Promise.all(loops);

    const statuses = [...new Set(seen.map((s) => s.status))].sort();
    t.diagnostic(`answers: ${seen.length}, 503: ${seen.filter((s) => s.status === 503).length}`);
    assert.deepEqual(statuses.filter((s) => s !== 200 && s !== 503), [], `only 200 and 503: ${JSON.stringify(seen.filter((s) => s.status !== 200 && s.status !== 503).slice(0, 3))}`);
    for (const s of seen.filter((x) => x.status === 503)) {
      if (s.face === 'moonraker') assert.equal(s.body.error.code, 503);
      else assert.equal(typeof s.body.message, 'string');
    }
    // Recovered: both answer, and a revocation still travels.
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      await sleep(100);
      ok = (await a!.req('GET', '/access/user', { headers: bearer(token) })).status === 200 && (await b!.req('GET', '/access/user', { headers: bearer(token) })).status === 200;
    }
    assert.ok(ok, 'both instances answer again');
    const fresh = await moonrakerLogin(a!, 'admin', ADMIN_PASSWORD);
    assert.equal((await b!.req('GET', '/access/user', { headers: bearer(fresh.token) })).status, 200);
    assert.equal((await a!.req('POST', '/access/logout', { headers: bearer(fresh.token) })).status, 200);
    await sleep(100);
    assert.equal((await b!.req('GET', '/access/user', { headers: bearer(fresh.token) })).status, 401);
    for (const node of [a!, b!]) assert.doesNotMatch(node.output(), /unhandled error|Internal Server Error/);
  } finally {
    await cluster.stop();
  }
});

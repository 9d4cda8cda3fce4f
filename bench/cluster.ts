// `npx tsx bench/cluster.ts`: several instances on one PostgreSQL (issue 21).
// 1. Propagation: a logout answered by A, then B asked again and again until it
//    refuses the token: the time from A's answer to B's first refusal (median, p99,
//    worst over --trials). It includes one request to B (the polling granularity).
// 2. Throughput: GET /access/user with a JWT (the hot path: memory only) against
//    one instance, then against two at once (the same load split over both).
// Instances are real `gatehouse serve` processes (from source, through tsx) on
// loopback against the PostgreSQL at 127.0.0.1:5432, in a throwaway database.
import { parseArgs } from 'node:util';
import os from 'node:os';
import { startCluster, moonrakerLogin, bearer, ADMIN_PASSWORD, type Instance } from '../test/helpers/instances.js';
import { runLoad, percentile, mergeResults } from './lib/load.js';

const { values: flags } = parseArgs({
  options: {
    trials: { type: 'string', default: '100' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
  },
});

async function propagation(a: Instance, b: Instance, trials: number): Promise<Float64Array> {
  const made = await a.req('POST', '/access/user', { body: { username: 'bench', password: 'bench-pw' }, headers: bearer((await moonrakerLogin(a, 'admin', ADMIN_PASSWORD)).token) });
  if (made.status !== 200) throw new Error(made.text);
  const out = new Float64Array(trials);
  for (let i = 0; i < trials; i++) {
    const { token } = await moonrakerLogin(a, 'bench', 'bench-pw');
    if ((await b.req('GET', '/access/user', { headers: bearer(token) })).status !== 200) throw new Error('B refused a fresh login');
    await a.req('POST', '/access/logout', { headers: bearer(token) });
    const t0 = performance.now();
    while ((await b.req('GET', '/access/user', { headers: bearer(token) })).status === 200) { /* again */ }
    out[i] = performance.now() - t0;
  }
  return out.sort();
}

const cluster = await startCluster(2);
try {
  const [a, b] = cluster.nodes as [Instance, Instance];
  const trials = Number(flags.trials);
  const lags = await propagation(a, b, trials);
  const duration = Number(flags.duration);
  const connections = Number(flags.connections);
  const { token } = await moonrakerLogin(a, 'admin', ADMIN_PASSWORD);
  const spec = (n: Instance, c: number) => ({ url: `${n.base}/access/user`, headers: bearer(token), connections: c, duration, warmup: 1 });
  const one = await runLoad(spec(a, connections));
  const parts = await Promise.all([runLoad(spec(a, connections / 2)), runLoad(spec(b, connections / 2))]);
  const both = { ...mergeResults(parts), rps: parts.reduce((sum, r) => sum + r.rps, 0) }; // at the same time: rates add up
  const f = (x: number) => x.toFixed(2);
  console.log(`host: ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (shared with other work: figures are indicative)`);
  console.log(`propagation of a logout, A's answer → B's first refusal, ${trials} trials: median ${f(percentile(lags, 50))} ms, p99 ${f(percentile(lags, 99))} ms, worst ${f(lags[lags.length - 1]!)} ms`);
  console.log(`GET /access/user (JWT), ${connections} connections, ${duration} s: one instance ${one.rps.toFixed(0)} req/s (p99 ${f(one.p99)} ms); two instances ${both.rps.toFixed(0)} req/s together (p99 ${f(both.p99)} ms)`);
} finally {
  await cluster.stop();
}

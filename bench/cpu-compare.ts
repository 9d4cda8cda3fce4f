// Diagnostic (not part of `npm run bench`): server CPU time per request at a
// FIXED request rate, for several servers, so that each handles the same load in
// the same way (batching per event-loop turn depends on load). Less disturbed by
// other processes than req/s: CPU time is what this process spent, whatever the
// machine is doing. `npx tsx bench/cpu-compare.ts [--rate 3000] [--duration 5] [--log-level warn]`
import { parseArgs } from 'node:util';
import { startChild, type Child } from './lib/child.js';
import { bundleServer } from './lib/bundle.js';
import { ROOT } from './lib/revs.js';
import { runLoad } from './lib/load.js';

const { values } = parseArgs({ options: { rate: { type: 'string', default: '3000' }, duration: { type: 'string', default: '5' }, 'log-level': { type: 'string' }, rounds: { type: 'string', default: '3' } } });
const rate = Number(values.rate), duration = Number(values.duration), rounds = Number(values.rounds);

type Info = { port: number; jwt?: string; apiKey?: string };
const servers: [string, Promise<Child<Info>>, string, Record<string, string> | ((i: Info) => Record<string, string>)][] = [
  ['bare node:http', startChild<Info>(await bundleServer(ROOT, 'bare.ts'), [], { name: 'bare' }), '/access/user', {}],
  ['bare Fastify', startChild<Info>(await bundleServer(ROOT, 'fastify.ts'), [], { name: 'fastify' }), '/access/user', {}],
];
const gh = startChild<Info>(await bundleServer(ROOT, 'gatehouse.ts'), [JSON.stringify({ trustedClients: ['127.0.0.0/8'], logLevel: values['log-level'] })], { name: 'gh' });
servers.push(['gatehouse JWT', gh, '/access/user', (i) => ({ authorization: `Bearer ${i.jwt}` })]);
servers.push(['gatehouse X-Api-Key', gh, '/access/user', (i) => ({ 'x-api-key': i.apiKey! })]);
servers.push(['gatehouse trusted', gh, '/access/user', {}]);
const children = await Promise.all(servers.map((s) => s[1]));
const results = new Map<string, number[]>();
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < servers.length; i++) {
    const [name, , path, h] = servers[i]!;
    const c = children[i]!;
    const headers = typeof h === 'function' ? h(c.info) : h;
    const spec = { url: `http://127.0.0.1:${c.info.port}${path}`, headers, connections: 32, duration, rate, warmup: r === 0 ? 1 : 0 };
    if (r === 0) await runLoad({ ...spec, duration: 1, warmup: 0 });
    const c0 = await c.cpu();
    const res = await runLoad({ ...spec, warmup: 0 });
    const c1 = await c.cpu();
    const us = (c1 - c0) / (res.ok + res.non2xx);
    results.set(name, [...(results.get(name) ?? []), us]);
    console.error(`${name}: ${res.rps.toFixed(0)} req/s, ${us.toFixed(1)} µs/req, p50 ${res.p50.toFixed(2)} p99 ${res.p99.toFixed(2)}${res.non2xx ? ` non2xx ${res.non2xx}` : ''}`);
  }
}
for (const [name, us] of results) console.log(`${name.padEnd(20)} ${[...us].sort((a, b) => a - b)[Math.floor(us.length / 2)]!.toFixed(1)} µs/req (median of ${us.length}: ${us.map((x) => x.toFixed(0)).join(' ')})`);
await Promise.all([...new Set(children)].map((c) => c.stop()));

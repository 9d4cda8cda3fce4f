// Diagnostic (not part of `npm run bench`): what each credential check costs on
// its own, in process: no sockets, no HTTP parser, no Fastify, only the
// authentication pipeline of the face, on requests shaped as the HTTP scenarios
// send them (HTTP_SCENARIOS). Each request carries header strings made afresh
// from bytes, as Node's HTTP parser makes them (a string used before has its
// hash cached by V8, which would hide the cost of a Map keyed by it).
//
//   npx tsx bench/pipeline.ts [--rounds 5] [--requests 200000] [--only 1a,2d]
//
// Prints ns per authentication (median and least over rounds; scenarios
// alternate within each round) and the ratio to 1c, the cheapest check (a
// trusted address), measured in the same rounds.
import { parseArgs } from 'node:util';
import { authenticate } from '../src/auth/run.js';
import { POLICIES } from '../src/auth/policies.js';
import { AuthRequest } from '../src/auth/request.js';
import { benchGatehouse } from './lib/fixture.js';
import { GATEHOUSE_SPEC, HTTP_SCENARIOS } from './lib/http-scenarios.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    requests: { type: 'string', default: '200000' },
    only: { type: 'string', default: '1a,1b,1c,2a,2b,2c,2d' },
  },
});
const ROUNDS = Number(values.rounds), N = Number(values.requests);
const only = new Set(values.only!.split(','));
only.add('1c'); // the reference

const { gh, info, close } = await benchGatehouse({ ...GATEHOUSE_SPEC, logLevel: 'error' });
const core = gh.core, g = gh.config.gatehouse.grafana_enabled;

interface Case { id: string; headers: [string, Buffer][]; run(req: AuthRequest): Promise<unknown> }
const cases: Case[] = [];
for (const [id, , headersOf] of HTTP_SCENARIOS) {
  const h = headersOf(info);
  if (!only.has(id) || !h || (id.startsWith('2') && !g)) continue;
  cases.push({
    id,
    headers: Object.entries({ host: `127.0.0.1:${info.port}`, ...h }).map(([k, v]) => [k, Buffer.from(v, 'latin1')]),
    run: (req) => authenticate(id.startsWith('1') ? POLICIES.moonrakerHttp : POLICIES.grafana, req, core),
  });
}

function request(c: Case): AuthRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of c.headers) headers[k] = v.toString('latin1');
  return new AuthRequest({ headers, query: {}, ip: '127.0.0.1', authRequired: true });
}

/** ns per authentication of `n` fresh requests (each awaited); fails on a refusal. */
async function measure(c: Case, n: number): Promise<number> {
  let total = 0n;
  for (let i = 0; i < n; i++) {
    const req = request(c);
    const t0 = process.hrtime.bigint();
    const id = await c.run(req);
    total += process.hrtime.bigint() - t0;
    if (!id) throw new Error(`${c.id}: refused`);
  }
  return Number(total) / n;
}

// First requests take the slow path (signature check, key hash, password hash) and fill the caches.
for (const c of cases) {
  await c.run(request(c));
  await measure(c, 20_000); // JIT warm-up
}

const ns = new Map<string, number[]>(cases.map((c) => [c.id, []]));
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? cases : [...cases].reverse();
  for (const c of order) ns.get(c.id)!.push(await measure(c, N));
  process.stderr.write(`[pipeline] round ${r + 1}/${ROUNDS}\n`);
}
await close();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ref = median(ns.get('1c')!);
console.log(`\nAuthentication alone, in process: ns per request (median (least) of ${ROUNDS} rounds × ${N} requests; the clock reads are included)\n`);
console.log('| scenario | ns/request | × 1c |\n|---|---|---|');
for (const c of cases) {
  const xs = ns.get(c.id)!;
  console.log(`| ${c.id} | ${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}) | ${(median(xs) / ref).toFixed(2)} |`);
}

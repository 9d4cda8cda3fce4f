// Before/after across git revisions: the server CPU time per request of each
// HTTP scenario, for several revisions of gatehouse at once, at a FIXED request
// rate (so every revision handles the same load the same way), in rounds that
// alternate the revisions (so a change in what else the machine runs hits them
// all alike). CPU per request is the cost; unlike req/s it is not capped by the
// load generator, and it moves little with neighbours.
//
//   npx tsx bench/ab.ts --revs 3b76ab8,HEAD [--rate 3000] [--duration 3] [--rounds 5] [--only 1a,2d]
//
// Each revision is served from an export of it (bench/lib/revs.ts); WORKTREE
// names this checkout as it is, uncommitted changes included.
import { parseArgs } from 'node:util';
import { startChild, type Child } from './lib/child.js';
import { bundleServer } from './lib/bundle.js';
import { runLoad } from './lib/load.js';
import { exportRev } from './lib/revs.js';
import { GATEHOUSE_SPEC, HTTP_SCENARIOS, type GatehouseInfo } from './lib/http-scenarios.js';

const { values } = parseArgs({
  options: {
    revs: { type: 'string' },
    rate: { type: 'string', default: '3000' },
    duration: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '5' },
    only: { type: 'string', default: '1a,1b,1c,2a,2b,2c,2d' },
  },
});
if (!values.revs) throw new Error('--revs REV,REV,… (git revisions)');
const rate = Number(values.rate), duration = Number(values.duration), rounds = Number(values.rounds);
const only = values.only!.split(',');

const revs = values.revs.split(',');
const children: { rev: string; child: Child<GatehouseInfo> }[] = [];
for (const rev of revs) {
  const dir = exportRev(rev);
  const child = await startChild<GatehouseInfo>(await bundleServer(dir, 'gatehouse.ts'), [JSON.stringify(GATEHOUSE_SPEC)], { name: `rev-${rev}` });
  if (child.info.grafanaError) process.stderr.write(`[ab] ${rev}: Grafana set-up failed: ${child.info.grafanaError}\n`);
  children.push({ rev, child });
}

const table: string[] = [`| scenario | ${revs.join(' | ')} |`, `|---|${revs.map(() => '---').join('|')}|`];
for (const [id, path, headersOf] of HTTP_SCENARIOS.filter(([id]) => only.includes(id))) {
  const us = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? children : [...children].reverse();
    for (const { rev, child } of order) {
      const headers = headersOf(child.info);
      if (!headers) continue;
      const spec = { url: `http://127.0.0.1:${child.info.port}${path}`, headers, connections: 32, duration, rate };
      if (r === 0) await runLoad({ ...spec, duration: 1 });
      const c0 = await child.cpu();
      const res = await runLoad(spec);
      const c1 = await child.cpu();
      if (res.non2xx || res.errors) process.stderr.write(`[ab] ${id} ${rev}: ${res.non2xx} non-2xx, ${res.errors} errors\n`);
      us.set(rev, [...(us.get(rev) ?? []), (c1 - c0) / Math.max(1, res.ok + res.non2xx)]);
    }
  }
  // The median, and in brackets the least: noise from neighbours only ever adds CPU time.
  const med = (xs: number[] | undefined) => {
    if (!xs?.length) return 'n/a';
    const sorted = [...xs].sort((a, b) => a - b);
    return `${sorted[xs.length >> 1]!.toFixed(1)} (${sorted[0]!.toFixed(1)})`;
  };
  const line = `| ${id} | ${revs.map((rev) => med(us.get(rev))).join(' | ')} |`;
  process.stderr.write(`[ab] ${line}\n`);
  table.push(line);
}
await Promise.all(children.map(({ child }) => child.stop()));
console.log(`\nServer CPU µs per request at ${rate} req/s (median (least) of ${rounds} rounds × ${duration} s, revisions alternating):\n\n${table.join('\n')}`);

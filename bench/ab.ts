// Before/after across git revisions: the server CPU time per request of each
// HTTP scenario, for several revisions of gatehouse at once, at a FIXED request
// rate (so every revision handles the same load the same way), in rounds that
// alternate the revisions (so a change in what else the machine runs hits them
// all alike). CPU per request is the cost; unlike req/s it is not capped by the
// load generator, and it moves little with neighbours.
//
//   npx tsx bench/ab.ts --revs 3b76ab8,HEAD [--rate 3000] [--duration 3] [--rounds 5] [--only 1a,2d]
//
// Each revision is exported (git archive) to bench/.cache/revs/<rev>/ with this
// checkout's bench/ harness and node_modules, and served from there.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DIR, startChild, type Child } from './lib/child.js';
import { runLoad } from './lib/load.js';

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
const ROOT = join(BENCH_DIR, '..');
const rate = Number(values.rate), duration = Number(values.duration), rounds = Number(values.rounds);
const only = values.only!.split(',');

function exportRev(rev: string): string {
  const sha = execFileSync('git', ['rev-parse', '--short', rev], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = join(BENCH_DIR, '.cache', 'revs', sha);
  if (!existsSync(join(dir, 'src'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${sha} | tar -x -C "${dir}"`], { cwd: ROOT });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  }
  // Always this checkout's harness (child protocol, servers), that revision's src/.
  rmSync(join(dir, 'bench'), { recursive: true, force: true });
  mkdirSync(join(dir, 'bench'));
  for (const p of ['lib', 'servers']) cpSync(join(BENCH_DIR, p), join(dir, 'bench', p), { recursive: true });
  return dir;
}

type Info = { port: number; jwt: string; apiKey: string; user: string; password: string; grafana?: { apiKey: string; saToken: string }; grafanaError?: string };
const revs = values.revs.split(',');
const children: { rev: string; child: Child<Info> }[] = [];
for (const rev of revs) {
  const dir = exportRev(rev);
  const child = await startChild<Info>(join(dir, 'bench/servers/gatehouse.ts'), [JSON.stringify({ trustedClients: ['127.0.0.0/8'], grafana: true })], { name: `rev-${rev}` });
  if (child.info.grafanaError) process.stderr.write(`[ab] ${rev}: Grafana set-up failed: ${child.info.grafanaError}\n`);
  children.push({ rev, child });
}

const basic = (u: string, p: string) => 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64');
const scenarios: [string, string, (i: Info) => Record<string, string> | undefined][] = [
  ['1a', '/access/user', (i) => ({ authorization: `Bearer ${i.jwt}` })],
  ['1b', '/access/user', (i) => ({ 'x-api-key': i.apiKey })],
  ['1c', '/access/user', () => ({})],
  ['2a', '/api/org', (i) => i.grafana && { authorization: `Bearer ${i.grafana.apiKey}` }],
  ['2b', '/api/org', (i) => i.grafana && { authorization: `Bearer ${i.grafana.saToken}` }],
  ['2c', '/api/org', (i) => i.grafana && { authorization: basic('api_key', i.grafana.apiKey) }],
  ['2d', '/api/org', (i) => i.grafana && { authorization: basic(i.user, i.password) }],
];

const table: string[] = [`| scenario | ${revs.join(' | ')} |`, `|---|${revs.map(() => '---').join('|')}|`];
for (const [id, path, headersOf] of scenarios.filter(([id]) => only.includes(id))) {
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

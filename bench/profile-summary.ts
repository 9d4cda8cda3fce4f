// Summarises a V8 .cpuprofile (from `npm run bench -- --profile`, or
// `node --cpu-prof --import tsx …`): self time by function and by package, and
// inclusive time of the frames matching --match.
//   npx tsx bench/profile-summary.ts bench/profiles/moonraker-….cpuprofile [--top 30] [--match pino,jwt]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[]; hitCount?: number }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '25' }, match: { type: 'string' } }, allowPositionals: true });
const top = Number(values.top);

for (const file of positionals) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const short = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*?\/(node_modules\/|src\/|bench\/)/, '$1');
  const pkg = (url: string) => {
    if (!url) return '(native/V8)';
    if (url.startsWith('node:')) return 'node core';
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (m) return m[1]!;
    const s = /\/(src\/[^/]+(?:\/[^/]+)?)\//.exec(url);
    return s ? s[1]! : short(url);
  };
  const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const fns = new Map<string, number>();
  const pkgs = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    fns.set(label(n), (fns.get(label(n)) ?? 0) + t);
    pkgs.set(pkg(n.callFrame.url), (pkgs.get(pkg(n.callFrame.url)) ?? 0) + t);
  }
  const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
  const idle = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, t]) => a + t, 0);
  console.log(`\n== ${file}\n${(total / 1e6).toFixed(1)} s sampled, ${pct(idle)} idle`);
  console.log('\n-- self time by package');
  for (const [k, t] of [...pkgs].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${pct(t)}  ${k}`);
  console.log('\n-- self time by function');
  for (const [k, t] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(t)}  ${k}`);
  if (values.match) {
    console.log('\n-- inclusive time of frames matching ' + values.match);
    const pats = values.match.split(',');
    const incl = new Map<string, number>();
    for (const [id, t] of self) {
      const seen = new Set<string>();
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const l = label(byId.get(cur)!);
        if (!seen.has(l) && pats.some((m) => l.includes(m))) { seen.add(l); incl.set(l, (incl.get(l) ?? 0) + t); }
      }
    }
    for (const [k, t] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(t)}  ${k}`);
  }
}

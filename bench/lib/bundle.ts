// The bench's servers run as what ships: `gatehouse serve` runs an esbuild
// bundle (scripts/build.js), not TypeScript through a loader, so each server
// script is bundled the same way (one ES module; npm packages stay external
// and load from node_modules) before it is started. The web UI's files go
// beside it, where src/web/pages.ts looks for them.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { buildWorkers, noZodLocales } from '../../scripts/build-parts.js';

/** Bundles `dir`/bench/servers/`script` into `dir`/bench/.build/; returns the .mjs file to run. */
export async function bundleServer(dir: string, script: string): Promise<string> {
  const out = join(dir, 'bench', '.build');
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(join(dir, 'src/web'))) if (/\.(html|css|js)$/.test(f)) copyFileSync(join(dir, 'src/web', f), join(out, f));
  const outfile = join(out, script.replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [join(dir, 'bench/servers', script)], outfile, bundle: true,
    platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning', plugins: [noZodLocales],
  });
  await buildWorkers(out); // beside the bundle, where the hash pool starts it from
  return outfile;
}

#!/usr/bin/env node
// Builds dist/, everything the package ships besides bin/:
//  - dist/gatehouse.cjs: the CLI (src/cli/main.ts) as one esbuild bundle, so
//    `gatehouse serve` starts without the TypeScript loader and without resolving
//    hundreds of module files: start-up runs one file (from V8's code cache after
//    the first start: see bin/). Native addons (better-sqlite3, @node-rs/argon2)
//    and optional native helpers stay external and load from node_modules.
//  - dist/index.js: the library (src/index.ts), an ES module of the sources only;
//    every package it imports stays external, a dependency installed beside it.
//  - dist/types/: its type declarations (tsc -p tsconfig.build.json).
//  - the web UI's files, copied beside both, where src/web/pages.ts looks for
//    them (next to its own module, which is then dist/gatehouse.cjs or dist/index.js),
//    and the admin UI's script, dist/ui.js, bundled from src/web/ui/ (src/web/pages.ts
//    bundles it itself when running from the sources).
//  - dist/hash-worker.mjs and dist/sqlite-worker.mjs: the password hashing and SQLite
//    threads (src/core/security/hash-worker.ts, src/store/sqlite-worker.ts), started
//    from beside the module that starts them.
//
// `--cli` builds only the CLI and the web files (no tsc: seconds faster), which is
// all that running from a checkout needs: `npm start`, `npm test` and `npm run
// bench` run it first. `npm run build` and `npm pack` (prepack) build everything.
// bin/gatehouse.js uses dist/ only while it is newer than every file under src/.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWorkers, cliBundleOptions } from './build-parts.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist');
const cliOnly = process.argv.includes('--cli');
const started = performance.now();

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
for (const f of readdirSync(join(ROOT, 'src/web'))) {
  if (/\.(html|css|js|svg)$/.test(f)) copyFileSync(join(ROOT, 'src/web', f), join(OUT, f));
}

// The admin UI (src/web/ui/, docs/web-ui.md): one script for the browser, beside the web files.
await build({
  entryPoints: [join(ROOT, 'src/web/ui/main.ts')],
  outfile: join(OUT, 'ui.js'),
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  legalComments: 'none',
  logLevel: 'warning',
});

await buildWorkers(OUT);

if (!cliOnly) {
  await build({
    entryPoints: [join(ROOT, 'src/index.ts')],
    outfile: join(OUT, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
}

// Last: dist/gatehouse.cjs is what bin/ compares against src/.
const cli = await build(cliBundleOptions(join(ROOT, 'src/cli/main.ts'), join(OUT, 'gatehouse.cjs')));
const inputs = Object.entries(cli.metafile.outputs[Object.keys(cli.metafile.outputs).find((f) => f.endsWith('gatehouse.cjs'))].inputs);
const locales = inputs.filter(([f]) => /zod\/v4\/locales\//.test(f) && !/locales\/en\./.test(f));
if (locales.length) throw new Error(`dist/gatehouse.cjs bundles ${locales.length} zod locales it never uses`);
const what = cliOnly ? 'dist/gatehouse.cjs' : 'dist/ (CLI, library, types)';
console.error(`gatehouse: built ${what} in ${Math.round(performance.now() - started)} ms`);

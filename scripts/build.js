#!/usr/bin/env node
// Bundles the CLI into dist/gatehouse.cjs with esbuild, so `gatehouse serve` starts
// without the TypeScript loader and without resolving hundreds of module files:
// start-up runs one file (from V8's code cache after the first start: see bin/).
// Native addons (better-sqlite3, @node-rs/argon2) and optional native helpers
// stay external and load from node_modules. The web UI's files are copied beside the bundle, where
// src/web/pages.ts looks for them (next to its own module).
//
// Runs on `npm ci` (prepare), before `npm start`, `npm test` and `npm run bench`.
// bin/gatehouse.js uses dist/ only while it is newer than every file under src/.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist');
const started = performance.now();

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
// Assets first: dist/gatehouse.cjs is what bin/ compares against src/, so it is written last.
for (const f of readdirSync(join(ROOT, 'src/web'))) {
  if (/\.(html|css|js)$/.test(f)) copyFileSync(join(ROOT, 'src/web', f), join(OUT, f));
}
await build({
  entryPoints: [join(ROOT, 'src/cli/main.ts')],
  outfile: join(OUT, 'gatehouse.cjs'),
  bundle: true,
  platform: 'node',
  // CommonJS, so bin/gatehouse.js can run it through vm.Script with V8's code cache.
  format: 'cjs',
  target: 'node20',
  // undici and @fastify/reply-from load only in gateway mode (src/faces/gateway/index.ts): kept out of the start-up path.
  external: ['better-sqlite3', '@node-rs/argon2', 'pg-native', 'bufferutil', 'utf-8-validate', 'undici', '@fastify/reply-from'],
  define: { 'import.meta.url': '__gatehouseModuleUrl' },
  banner: { js: "const __gatehouseModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  legalComments: 'linked',
  charset: 'ascii', // bin/gatehouse.js reads the bundle as latin1
  logLevel: 'warning',
});
console.error(`gatehouse: built dist/gatehouse.cjs in ${Math.round(performance.now() - started)} ms`);

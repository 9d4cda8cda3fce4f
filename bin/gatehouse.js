#!/usr/bin/env node
// Runs the bundled CLI (dist/gatehouse.cjs, from scripts/build.js). In a checkout
// (src/ exists), the TypeScript sources run through tsx's loader instead while the
// bundle is older than src/ or missing: an edit under src/ is never shadowed by a
// stale bundle, and a checkout without a build works. An installed package has no
// src/ (and no tsx): it always runs the bundle.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBundle } from './load-bundle.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist/gatehouse.cjs');
const src = join(root, 'src');

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  try {
    return statSync(bundle).mtimeMs >= newestMtime(src);
  } catch {
    return false;
  }
}

const checkout = existsSync(src);
if (!checkout && process.env.GATEHOUSE_FROM_SOURCE === '1') {
  console.error('gatehouse: GATEHOUSE_FROM_SOURCE=1 needs a checkout (there is no src/ here)');
  process.exit(1);
}
if (!checkout || (process.env.GATEHOUSE_FROM_SOURCE !== '1' && bundleIsFresh())) {
  await loadBundle(bundle).main();
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/cli/main.ts');
  await main();
}

#!/usr/bin/env node
// Runs the bundled CLI (dist/gatehouse.js, from `npm run build`) when it is up to
// date with src/, else the TypeScript sources through tsx's loader: an edit under
// src/ is never shadowed by a stale bundle, and a checkout without a build works.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

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
    return statSync(join(root, 'dist/gatehouse.js')).mtimeMs >= newestMtime(join(root, 'src'));
  } catch {
    return false;
  }
}

if (process.env.GATEHOUSE_FROM_SOURCE !== '1' && bundleIsFresh()) {
  await import('../dist/gatehouse.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}

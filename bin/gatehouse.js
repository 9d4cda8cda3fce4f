#!/usr/bin/env node
// Runs the bundled CLI (dist/gatehouse.cjs, from scripts/build.js). In a checkout
// (src/ exists), the TypeScript sources run through tsx's loader instead while the
// bundle is older than src/ or missing: an edit under src/ is never shadowed by a
// stale bundle, and a checkout without a build works. An installed package has no
// src/ (and no tsx): it always runs the bundle.
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

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

/**
 * Loads the bundle as Node loads a CommonJS file, but through vm.Script with V8's
 * code cache beside it: compiling 3.7 MB of JavaScript, and the functions start-up
 * runs, is a fifth of a start. The cache is written after the first start (V8
 * refuses a cache made for another bundle or another Node, and it is rewritten).
 */
function loadBundle() {
  const cacheFile = `${bundle}.v8-cache`;
  let cachedData;
  try { cachedData = readFileSync(cacheFile); } catch { /* first start */ }
  // latin1, not utf8: no decoding pass over 3.7 MB (~12 ms of a start). The build
  // writes code in ASCII (esbuild's charset 'ascii' escapes every other character
  // in strings, identifiers and regexps); only comments keep other bytes, and
  // read one byte per character they are still comments.
  const source = readFileSync(bundle, 'latin1');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  if (!cachedData || script.cachedDataRejected) {
    let saved = false;
    const save = () => {
      if (saved) return;
      saved = true;
      try {
        const tmp = `${cacheFile}.${process.pid}`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch { /* a read-only install: no cache */ }
    };
    setTimeout(save, 3000).unref(); // a server: once start-up has run
    process.once('exit', save); // a command: when it ends
  }
  return module.exports;
}

const checkout = existsSync(src);
if (!checkout && process.env.GATEHOUSE_FROM_SOURCE === '1') {
  console.error('gatehouse: GATEHOUSE_FROM_SOURCE=1 needs a checkout (there is no src/ here)');
  process.exit(1);
}
if (!checkout || (process.env.GATEHOUSE_FROM_SOURCE !== '1' && bundleIsFresh())) {
  await loadBundle().main();
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/cli/main.ts');
  await main();
}

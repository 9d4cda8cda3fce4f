// Runs an esbuild CommonJS bundle (dist/gatehouse.cjs; the bench's floor server,
// bench/memory.ts) the way bin/gatehouse.js runs gatehouse.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import vm from 'node:vm';

/**
 * Loads the bundle as Node loads a CommonJS file, but through vm.Script with V8's
 * code cache beside it: compiling the bundle (1.7 MB of JavaScript), and the functions start-up
 * runs, is a fifth of a start. The cache is written after the first start (V8
 * refuses a cache made for another bundle or another Node, and it is rewritten).
 */
export function loadBundle(bundle) {
  const cacheFile = `${bundle}.v8-cache`;
  let cachedData;
  try { cachedData = readFileSync(cacheFile); } catch { /* first start */ }
  // latin1, not utf8: no decoding pass over the whole bundle (milliseconds of a start). The build
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

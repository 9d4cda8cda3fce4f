// What scripts/build.js and the bench's bundler (bench/lib/bundle.ts) share.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * zod's locales: `z` is a namespace, so a bundler keeps every export of it, the
 * 60-odd locales (`z.locales`) included, though gatehouse only ever uses the
 * English one zod installs itself (imported from locales/en directly).
 */
export const noZodLocales = {
  name: 'no-zod-locales',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.c?js$/ }, (a) => (a.importer.includes('/zod/') ? { path: 'zod-locales', namespace: 'empty' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

/** The worker threads' files (password hashing, SQLite), beside the bundle that starts them. */
export async function buildWorkers(outdir) {
  for (const src of ['src/core/security/hash-worker.ts', 'src/store/sqlite-worker.ts']) {
    await build({
      entryPoints: [join(ROOT, src)],
      outfile: join(outdir, src.split('/').pop().replace(/\.ts$/, '.mjs')),
      bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', minify: true, logLevel: 'warning',
    });
  }
}

/**
 * dist/gatehouse.cjs's esbuild options (also the bench's floor server, bench/memory.ts): one
 * minified CommonJS file, so bin/load-bundle.js can run it through vm.Script with V8's code cache.
 */
export function cliBundleOptions(entry, outfile) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // Native addons, optional native helpers, piscina (it starts its threads from its own files), and
    // undici and @fastify/reply-from, which load only in gateway mode (src/faces/gateway/index.ts).
    external: ['better-sqlite3', '@node-rs/argon2', 'piscina', 'pg-native', 'bufferutil', 'utf-8-validate', 'undici', '@fastify/reply-from'],
    minify: true,
    keepNames: true, // profiles and stack traces name the sources' functions
    plugins: [noZodLocales],
    define: { 'import.meta.url': '__gatehouseModuleUrl' },
    banner: { js: "const __gatehouseModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    legalComments: 'linked',
    charset: 'ascii', // bin/load-bundle.js reads the bundle as latin1
    metafile: true,
    logLevel: 'warning',
  };
}

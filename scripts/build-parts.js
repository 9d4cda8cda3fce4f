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

/** The hashing thread's file, beside the bundle that starts it. */
export async function buildHashWorker(outdir) {
  await build({
    entryPoints: [join(ROOT, 'src/core/security/hash-worker.ts')],
    outfile: join(outdir, 'hash-worker.mjs'),
    bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', minify: true, logLevel: 'warning',
  });
}

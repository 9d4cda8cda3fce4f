import type { Plugin } from 'esbuild';
export declare const noZodLocales: Plugin;
export declare function buildWorkers(outdir: string): Promise<void>;
export declare function cliBundleOptions(entry: string, outfile: string): import('esbuild').BuildOptions & { metafile: true };

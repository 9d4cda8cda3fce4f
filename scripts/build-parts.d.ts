import type { Plugin } from 'esbuild';
export declare const noZodLocales: Plugin;
export declare function buildHashWorker(outdir: string): Promise<void>;

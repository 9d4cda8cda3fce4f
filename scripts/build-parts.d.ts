import type { Plugin } from 'esbuild';
export declare const noZodLocales: Plugin;
export declare function buildWorkers(outdir: string): Promise<void>;

// Password hashing threads (piscina). argon2id and PBKDF2 run on worker threads
// of their own, up to one per core, each at nice 10 (hash-worker.ts).
//
// Why not the libuv pool (the async argon2 API): it has 4 threads on any machine,
// so a login storm queued JWT signing and fs work behind 15 ms hashes, and
// outnumbered the cores, so the event loop waited for a CPU: other requests' p99
// went from ~3 ms to 25–85 ms beside 16 concurrent logins on 2 cores (bench
// scenario 4). On threads of their own at nice 10, hashes use every idle cycle,
// but the kernel hands the CPU back to the event loop as soon as it has work.
//
// Threads start with the first hash and end after IDLE_MS without one: every
// thread is a V8 isolate of its own (~10 MB), so an idle server holds none.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { Piscina } from 'piscina';

/** One job: what the worker computes, synchronously, on its own thread. */
export type HashJob =
  | { op: 'argon2-hash'; password: string; options: Record<string, number> }
  | { op: 'argon2-verify'; stored: string; password: string }
  | { op: 'pbkdf2-sha256'; password: string; salt: string | Uint8Array; iterations: number; keyBytes: number }
  | { op: 'exit' };

const IDLE_MS = 10_000;

/** The worker's file: beside this module (the bundle's hash-worker.mjs, or the .ts source through tsx). */
function workerFile(): { filename: string; execArgv: string[] } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { filename: new URL('./hash-worker.mjs', here).href, execArgv: [] };
  // The sources run through tsx (tests, a checkout without a fresh bundle): so must the thread.
  const tsx = process.execArgv.some((a) => a.includes('tsx')) ? [] : ['--import', pathToFileURL(createRequire(here).resolve('tsx')).href];
  return { filename: new URL('./hash-worker.ts', here).href, execArgv: [...process.execArgv, ...tsx] };
}

export class HashPool {
  private pool: Piscina | undefined;
  constructor(readonly size = Math.max(1, availableParallelism())) {}

  /** Made with the first hash; piscina itself is loaded then, so an idle server never loads it. */
  private get piscina(): Piscina {
    if (this.pool) return this.pool;
    const { Piscina: Pool } = createRequire(import.meta.url)('piscina') as typeof import('piscina');
    return (this.pool = new Pool({ ...workerFile(), minThreads: 0, maxThreads: this.size, idleTimeout: IDLE_MS }));
  }

  async run(job: HashJob): Promise<unknown> {
    try {
      return await this.piscina.run(job);
    } catch (err) {
      throw new Error(`password hashing: ${(err as Error).message}`);
    }
  }

  /** Jobs waiting for a thread (metrics). */
  get queueSize(): number { return this.pool?.queueSize ?? 0; }

  /** The running threads (tests end one to see its job fail alone). */
  get threads(): readonly { terminate(): Promise<number> }[] { return this.pool?.threads ?? []; }

  /** Stops every thread (jobs in flight fail). */
  async close(): Promise<void> {
    const p = this.pool;
    this.pool = undefined;
    await p?.destroy();
  }
}

/** The process's pool: hashing is a machine-wide resource, shared by every core in the process. */
export const hashPool = new HashPool();

// Password hashing threads. argon2id and PBKDF2 run on worker threads of their
// own, one per core, each at a lower CPU priority (nice 10) than the event loop.
//
// Why not the libuv pool (the async argon2 API): it has 4 threads on any machine,
// so a login storm queued JWT signing and fs work behind 15 ms hashes, and
// outnumbered the cores, so the event loop waited for a CPU: other requests' p99
// went from ~3 ms to 25–85 ms beside 16 concurrent logins on 2 cores (bench
// scenario 4). On threads of their own at nice 10, hashes use every idle cycle,
// but the kernel hands the CPU back to the event loop as soon as it has work.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** One job: what the worker computes, synchronously, on its own thread. */
export type HashJob =
  | { op: 'argon2-hash'; password: string; options: Record<string, number> }
  | { op: 'argon2-verify'; stored: string; password: string }
  | { op: 'pbkdf2-sha256'; password: string; salt: string | Uint8Array; iterations: number; keyBytes: number };

/** Niceness of the hashing threads (Linux: per thread; elsewhere a no-op if refused). */
const NICE = 10;

// A CommonJS script (eval'd workers are), so it needs no loader and no build output of its own.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
try { require('node:os').setPriority(workerData.nice); } catch {}
const argon2 = require(workerData.argon2);
parentPort.on('message', ({ id, job }) => {
  try {
    let value;
    if (job.op === 'argon2-hash') value = argon2.hashSync(job.password, job.options);
    else if (job.op === 'argon2-verify') value = argon2.verifySync(job.stored, job.password);
    else if (job.op === 'pbkdf2-sha256') value = crypto.pbkdf2Sync(job.password, job.salt, job.iterations, job.keyBytes, 'sha256');
    else throw new Error('unknown job ' + job.op);
    parentPort.postMessage({ id, value });
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

interface Pending { job: HashJob; resolve(v: unknown): void; reject(e: Error): void }

class HashThread {
  readonly worker: Worker;
  current: (Pending & { id: number }) | undefined;
  constructor(argon2Path: string, onDone: (t: HashThread) => void, onDead: (t: HashThread, err: Error) => void) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { nice: NICE, argon2: argon2Path } });
    this.worker.unref(); // an idle hashing thread never keeps the process alive
    this.worker.on('message', (m: { id: number; value?: unknown; error?: string }) => {
      const p = this.current;
      if (!p || p.id !== m.id) return;
      this.current = undefined;
      this.worker.unref();
      if (m.error !== undefined) p.reject(new Error(`password hashing: ${m.error}`));
      else p.resolve(m.value);
      onDone(this);
    });
    this.worker.on('error', (err) => onDead(this, err));
    this.worker.on('exit', (code) => onDead(this, new Error(`password hashing thread exited (${code})`)));
  }

  start(p: Pending & { id: number }) {
    this.current = p;
    this.worker.ref(); // a job in flight does (a CLI awaiting a hash must not exit first)
    this.worker.postMessage({ id: p.id, job: p.job });
  }
}

export class HashPool {
  private threads: HashThread[] = [];
  private idle: HashThread[] = [];
  private queue: Pending[] = [];
  private nextId = 1;
  private readonly argon2Path = createRequire(import.meta.url).resolve('@node-rs/argon2');

  constructor(readonly size = Math.max(1, availableParallelism())) {}

  run(job: HashJob): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  /** Jobs waiting for a thread (not counting those running). */
  get waiting(): number { return this.queue.length; }

  private dispatch() {
    while (this.queue.length > 0) {
      let t = this.idle.pop();
      if (!t && this.threads.length < this.size) {
        t = new HashThread(this.argon2Path, (done) => { this.idle.push(done); this.dispatch(); }, (dead, err) => this.dead(dead, err));
        this.threads.push(t);
      }
      if (!t) return;
      t.start({ ...this.queue.shift()!, id: this.nextId++ });
    }
  }

  /** A thread that died fails its job (never hangs it); the next job starts a new thread. */
  private dead(t: HashThread, err: Error) {
    if (!this.threads.includes(t)) return;
    this.threads = this.threads.filter((x) => x !== t);
    this.idle = this.idle.filter((x) => x !== t);
    const p = t.current;
    t.current = undefined;
    p?.reject(err);
    this.dispatch();
  }

  /** Stops every thread (jobs in flight fail). */
  async close(): Promise<void> {
    const threads = this.threads;
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }
}

/** The process's pool: hashing is a machine-wide resource, shared by every core in the process. */
export const hashPool = new HashPool();

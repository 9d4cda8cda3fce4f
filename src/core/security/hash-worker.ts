// The password hashing thread (run by piscina from hash-pool.ts): argon2id and
// PBKDF2, synchronously, on a thread of its own at a lower CPU priority than the
// event loop. Built beside the bundle by scripts/build.js.
import { pbkdf2Sync } from 'node:crypto';
import { setPriority } from 'node:os';
import { hashSync, verifySync } from '@node-rs/argon2';
import type { HashJob } from './hash-pool.js';

/** Niceness of the hashing threads (Linux: per thread; elsewhere a no-op if refused). */
const NICE = 10;
try { setPriority(NICE); } catch { /* not permitted here */ }

export default function hash(job: HashJob): unknown {
  switch (job.op) {
    case 'argon2-hash': return hashSync(job.password, job.options);
    case 'argon2-verify': return verifySync(job.stored, job.password);
    case 'exit': // a thread that dies under its job (test/core/hash-pool.test.ts)
      setImmediate(() => { throw new Error('hashing thread ended'); });
      return new Promise(() => {});
    case 'pbkdf2-sha256': return new Uint8Array(pbkdf2Sync(job.password, job.salt, job.iterations, job.keyBytes, 'sha256'));
    default: throw new Error(`unknown job ${(job as { op: string }).op}`);
  }
}

// Password hashing: argon2id for everything we write, plus the two foreign
// formats we can import (Moonraker's and Grafana's PBKDF2). All work runs on the
// libuv thread pool, never on the event loop.
import { hash as argonHash, verify as argonVerify, Algorithm } from '@node-rs/argon2';
import { pbkdf2, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

/**
 * At most one password hash per core at a time; the rest wait their turn here.
 * More hashes at once than cores add no throughput, but they fill the libuv pool
 * (4 threads) — so WebCrypto JWT signing/verification and fs work queue behind
 * 15 ms hashes — and outnumber the cores, so the event loop waits for a CPU: a
 * login storm of 16 raised the p99 of other requests from ~3 to ~25 ms on 2 cores
 * (bench scenario 4); with the cap, 13 ms, at the same login rate.
 */
const MAX_CONCURRENT_HASHES = Math.max(1, availableParallelism());
let hashing = 0;
const queue: (() => void)[] = [];

async function oneHashAtATimePerCore<T>(work: () => Promise<T>): Promise<T> {
  if (hashing >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => queue.push(resolve));
  hashing++;
  try {
    return await work();
  } finally {
    hashing--;
    queue.shift()?.();
  }
}

// OWASP's argon2id minimum: 19 MiB, 2 passes, 1 lane.
export const ARGON2_PARAMS = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** Upper bound on what we hash: longer input is refused before any work is done. */
export const MAX_PASSWORD_BYTES = 1024;

export function hashPassword(password: string): Promise<string> {
  return oneHashAtATimePerCore(() => argonHash(password, ARGON2_PARAMS));
}

/** Moonraker's stored form, as imported: PBKDF2-HMAC-SHA256, 100 000 rounds, hex salt and hash. */
export const moonrakerHash = (saltHex: string, hashHex: string) => `$moonraker-pbkdf2$${saltHex}$${hashHex}`;
/** Grafana's stored form: PBKDF2-HMAC-SHA256, 10 000 rounds, 50 bytes, salt used as text. */
export const grafanaHash = (salt: string, hashHex: string) => `$grafana-pbkdf2$${salt}$${hashHex}`;

export interface VerifyResult { ok: boolean; needsRehash: boolean }

export async function verifyPassword(stored: string, password: string): Promise<VerifyResult> {
  if (stored.startsWith('$argon2')) {
    const ok = await oneHashAtATimePerCore(() => argonVerify(stored, password)).catch(() => false);
    return { ok, needsRehash: ok && !stored.startsWith('$argon2id$v=19$m=19456,t=2,p=1$') };
  }
  const [, kind, salt, expected] = stored.split('$');
  if (kind === 'moonraker-pbkdf2' && salt !== undefined && expected) {
    const got = await oneHashAtATimePerCore(() => pbkdf2Async(password, Buffer.from(salt, 'hex'), 100_000, 32, 'sha256'));
    const ok = hexEqual(got, expected);
    return { ok, needsRehash: ok };
  }
  if (kind === 'grafana-pbkdf2' && salt !== undefined && expected) {
    const got = await oneHashAtATimePerCore(() => pbkdf2Async(password, salt, 10_000, 50, 'sha256'));
    const ok = hexEqual(got, expected);
    return { ok, needsRehash: ok };
  }
  return { ok: false, needsRehash: false };
}

function hexEqual(got: Buffer, expectedHex: string): boolean {
  const want = Buffer.from(expectedHex, 'hex');
  return want.length === got.length && timingSafeEqual(got, want);
}

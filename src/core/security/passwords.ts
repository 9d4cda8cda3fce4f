// Password hashing: argon2id for everything we write, plus the two foreign
// formats we can import (Moonraker's and Grafana's PBKDF2). All work runs on the
// hashing threads (hash-pool.ts), never on the event loop.
import { timingSafeEqual } from 'node:crypto';
import { hashPool } from './hash-pool.js';

// OWASP's argon2id minimum: 19 MiB, 2 passes, 1 lane.
// (algorithm 2 is Argon2id: @node-rs/argon2 declares it in a const enum, which has no runtime value to import.)
export const ARGON2_PARAMS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** Upper bound on what we hash: longer input is refused before any work is done. */
export const MAX_PASSWORD_BYTES = 1024;

export function hashPassword(password: string): Promise<string> {
  return hashPool.run({ op: 'argon2-hash', password, options: ARGON2_PARAMS }) as Promise<string>;
}

/** Moonraker's stored form, as imported: PBKDF2-HMAC-SHA256, 100 000 rounds, hex salt and hash. */
export const moonrakerHash = (saltHex: string, hashHex: string) => `$moonraker-pbkdf2$${saltHex}$${hashHex}`;
/** Grafana's stored form: PBKDF2-HMAC-SHA256, 10 000 rounds, 50 bytes, salt used as text. */
export const grafanaHash = (salt: string, hashHex: string) => `$grafana-pbkdf2$${salt}$${hashHex}`;

/**
 * An argon2id hash (the current parameters) of a random password nobody knows:
 * an unknown account is verified against it, so it costs what a known one does.
 */
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$vq0hJejW52RZlKKgYfLjFg$DP0Pv7t55do/StjD2B2bDnEiUdKO3mmhPP61HE2w/Ao';

/** The work of a password check whose answer is always no (issue 17 finding 7). */
export async function verifyDummy(password: string): Promise<void> {
  await verifyPassword(DUMMY_HASH, password);
}

export interface VerifyResult { ok: boolean; needsRehash: boolean }

export async function verifyPassword(stored: string, password: string): Promise<VerifyResult> {
  if (stored.startsWith('$argon2')) {
    const ok = await hashPool.run({ op: 'argon2-verify', stored, password }).then((v) => v === true, () => false);
    return { ok, needsRehash: ok && !stored.startsWith('$argon2id$v=19$m=19456,t=2,p=1$') };
  }
  const [, kind, salt, expected] = stored.split('$');
  if (kind === 'moonraker-pbkdf2' && salt !== undefined && expected) {
    const got = await pbkdf2(password, Buffer.from(salt, 'hex'), 100_000, 32);
    const ok = hexEqual(got, expected);
    return { ok, needsRehash: ok };
  }
  if (kind === 'grafana-pbkdf2' && salt !== undefined && expected) {
    const got = await pbkdf2(password, salt, 10_000, 50);
    const ok = hexEqual(got, expected);
    return { ok, needsRehash: ok };
  }
  return { ok: false, needsRehash: false };
}

async function pbkdf2(password: string, salt: string | Uint8Array, iterations: number, keyBytes: number): Promise<Buffer> {
  const raw = (await hashPool.run({ op: 'pbkdf2-sha256', password, salt, iterations, keyBytes })) as Uint8Array;
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
}

function hexEqual(got: Buffer, expectedHex: string): boolean {
  const want = Buffer.from(expectedHex, 'hex');
  return want.length === got.length && timingSafeEqual(got, want);
}

// Small crypto helpers shared by the core: random tokens, fast hashes for
// high-entropy secrets, constant-time comparison and at-rest encryption.
import * as crypto from 'node:crypto';
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** RFC 4648 base32 of `bytes` random bytes (20 bytes → 32 chars, as Moonraker's oneshot tokens). */
export function randomBase32(bytes = 20): string {
  const buf = randomBytes(bytes);
  let bits = 0, value = 0, out = '';
  for (const b of buf) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

export const randomHex = (bytes: number) => randomBytes(bytes).toString('hex');
export const randomUrlToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** Uniform random string over [0-9A-Za-z] (rejection sampling, no modulo bias). */
export function randomAlnum(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out += ALNUM[b % 62];
    }
  }
  return out;
}

/** One-shot crypto.hash (Node ≥ 20.12): a third of createHash().update().digest()'s cost; that on older Node. */
const oneShot = (crypto as { hash?: (alg: string, data: string | Buffer, enc: 'hex' | 'base64url') => string }).hash;

export const sha256hex: (s: string | Buffer) => string = oneShot
  ? (s) => oneShot('sha256', s, 'hex')
  : (s) => createHash('sha256').update(s).digest('hex');

/** SHA-256, base64url, of a string (one-shot where available). */
export const sha256b64url: (s: string) => string = oneShot
  ? (s) => oneShot('sha256', s, 'base64url')
  : (s) => createHash('sha256').update(s).digest('base64url');

/** Constant-time string equality (compares SHA-256 digests so lengths never leak). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/** AES-256-GCM with a 32-byte key; output is base64url(iv|tag|ciphertext). */
export function encrypt(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64url');
}

export function decrypt(key: Buffer, sealed: string): string {
  const raw = Buffer.from(sealed, 'base64url');
  const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  d.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
}

/** A user's uid (Grafana's short unique id). */
export const newUid = () => randomUUID().replace(/-/g, '').slice(0, 14);

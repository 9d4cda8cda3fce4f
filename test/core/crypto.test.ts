// The crypto helpers: random tokens, hashes, constant-time comparison, sealing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { decrypt, encrypt, randomAlnum, randomBase32, randomHex, randomUrlToken, safeEqual, sha256hex } from '../../src/core/security/crypto.js';

test('randomBase32: 20 bytes are 32 RFC 4648 characters (a Moonraker oneshot token); other sizes round up to 5-bit groups', () => {
  assert.match(randomBase32(), /^[A-Z2-7]{32}$/);
  assert.match(randomBase32(10), /^[A-Z2-7]{16}$/);
  assert.match(randomBase32(1), /^[A-Z2-7]{2}$/);
  assert.equal(randomBase32(0), '');
});

test('randomBase32 uses the whole alphabet and does not repeat', () => {
  const seen = new Set<string>();
  const tokens = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const t = randomBase32();
    tokens.add(t);
    for (const c of t) seen.add(c);
  }
  assert.equal(tokens.size, 500);
  assert.equal(seen.size, 32);
});

test('randomAlnum: the requested length over [0-9A-Za-z], whole alphabet used', () => {
  assert.match(randomAlnum(40), /^[0-9A-Za-z]{40}$/);
  const seen = new Set(randomAlnum(5000));
  assert.equal(seen.size, 62);
});

test('randomHex and randomUrlToken sizes', () => {
  assert.match(randomHex(16), /^[0-9a-f]{32}$/);
  assert.match(randomUrlToken(32), /^[A-Za-z0-9_-]{43}$/);
});

test('sha256hex: the FIPS 180-2 "abc" vector, strings and buffers alike', () => {
  const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
  assert.equal(sha256hex('abc'), abc);
  assert.equal(sha256hex(Buffer.from('abc')), abc);
});

test('safeEqual: equal strings only, whatever the lengths', () => {
  assert.equal(safeEqual('abc', 'abc'), true);
  assert.equal(safeEqual('abc', 'abd'), false);
  assert.equal(safeEqual('abc', 'abcd'), false);
  assert.equal(safeEqual('', ''), true);
  assert.equal(safeEqual('', 'a'), false);
});

test('encrypt/decrypt (AES-256-GCM): round trip, a fresh IV each time, unicode intact', () => {
  const key = randomBytes(32);
  const a = encrypt(key, 'clé secrète 🔑');
  const b = encrypt(key, 'clé secrète 🔑');
  assert.notEqual(a, b);
  assert.equal(decrypt(key, a), 'clé secrète 🔑');
  assert.equal(decrypt(key, b), 'clé secrète 🔑');
  assert.ok(!a.includes('secr'));
});

test('decrypt refuses a tampered ciphertext, tag or IV, and the wrong key', () => {
  const key = randomBytes(32);
  const sealed = Buffer.from(encrypt(key, 'api-key-value'), 'base64url');
  for (const i of [0, 12, 28, sealed.length - 1]) {
    const t = Buffer.from(sealed);
    t[i]! ^= 1;
    assert.throws(() => decrypt(key, t.toString('base64url')), Error, `byte ${i}`);
  }
  assert.throws(() => decrypt(randomBytes(32), sealed.toString('base64url')));
  assert.throws(() => decrypt(key, sealed.subarray(0, 20).toString('base64url')));
});

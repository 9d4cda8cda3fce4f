// Password hashing formats: argon2id for what we write; Moonraker's and
// Grafana's PBKDF2 for what we import. Vectors computed with Python's hashlib.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hash as argonHash, Algorithm } from '@node-rs/argon2';
import { grafanaHash, hashPassword, moonrakerHash, verifyPassword } from '../../src/core/security/passwords.js';

// hashlib.pbkdf2_hmac('sha256', b'moonraker', bytes.fromhex(SALT), 100000).hex()
const MR_SALT = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const MR_HASH = 'fa0a11d1e24d16ae7c4cd98f6b0051e50979347c564e854db49c63fc37df283d';
// hashlib.pbkdf2_hmac('sha256', b'grafana', b'saltsalt', 10000, 50).hex()
const GF_HASH = '288872d49c3e28325726846ac80c0d6c4eaf9dd14fca2775e654323fa4975b87bc86fe47bcea55e786bc18de69ae9eede9e6';

test('hashPassword writes argon2id with the OWASP parameters (19 MiB, t=2, p=1), salted', async () => {
  const a = await hashPassword('pw');
  const b = await hashPassword('pw');
  assert.match(a, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.notEqual(a, b);
});

test('argon2id at the current parameters verifies without a rehash; a wrong password does not verify', async () => {
  const h = await hashPassword('right');
  assert.deepEqual(await verifyPassword(h, 'right'), { ok: true, needsRehash: false });
  assert.deepEqual(await verifyPassword(h, 'wrong'), { ok: false, needsRehash: false });
});

test('argon2 with weaker parameters, or argon2i, verifies and asks for a rehash', async () => {
  const weak = await argonHash('pw', { algorithm: Algorithm.Argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 });
  assert.deepEqual(await verifyPassword(weak, 'pw'), { ok: true, needsRehash: true });
  const argon2i = await argonHash('pw', { algorithm: Algorithm.Argon2i, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  assert.deepEqual(await verifyPassword(argon2i, 'pw'), { ok: true, needsRehash: true });
});

test("Moonraker's PBKDF2-HMAC-SHA256 (100 000 rounds, hex salt, hex hash) verifies against Python's vector and asks for a rehash", async () => {
  assert.equal(moonrakerHash(MR_SALT, MR_HASH), `$moonraker-pbkdf2$${MR_SALT}$${MR_HASH}`);
  assert.deepEqual(await verifyPassword(moonrakerHash(MR_SALT, MR_HASH), 'moonraker'), { ok: true, needsRehash: true });
  assert.deepEqual(await verifyPassword(moonrakerHash(MR_SALT, MR_HASH), 'Moonraker'), { ok: false, needsRehash: false });
  assert.equal((await verifyPassword(moonrakerHash(MR_SALT, MR_HASH.toUpperCase()), 'moonraker')).ok, true);
});

test("Grafana's PBKDF2-HMAC-SHA256 (10 000 rounds, 50 bytes, salt as text) verifies against Python's vector", async () => {
  assert.deepEqual(await verifyPassword(grafanaHash('saltsalt', GF_HASH), 'grafana'), { ok: true, needsRehash: true });
  assert.deepEqual(await verifyPassword(grafanaHash('saltsalt', GF_HASH), 'grafanA'), { ok: false, needsRehash: false });
});

test('malformed or unknown stored forms never verify and never throw', async () => {
  for (const stored of ['', 'plaintext', '$', '$moonraker-pbkdf2$', `$moonraker-pbkdf2$${MR_SALT}$`, `$moonraker-pbkdf2$${MR_SALT}$abc`,
    '$moonraker-pbkdf2$zz$zz', '$grafana-pbkdf2$$', '$argon2id$garbage', '$argon2id$v=19$m=19456,t=2,p=1$AAAA$BBBB', '$md5$x$y']) {
    assert.deepEqual(await verifyPassword(stored, 'moonraker'), { ok: false, needsRehash: false }, stored);
  }
});

test('a PBKDF2 hash of the wrong length does not verify (no prefix match)', async () => {
  assert.equal((await verifyPassword(moonrakerHash(MR_SALT, MR_HASH.slice(0, 32)), 'moonraker')).ok, false);
  assert.equal((await verifyPassword(moonrakerHash(MR_SALT, MR_HASH + '00'), 'moonraker')).ok, false);
});

// JwtService: what it signs and what it pins when verifying (RFC 8725).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { JwtService } from '../../src/core/security/jwt.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const KID = 'kid-under-test';
const ISS = 'http://printer.local:7125';
const svc = new JwtService({ privateKey, publicKey, kid: KID }, ISS);
const b64 = (x: unknown) => Buffer.from(JSON.stringify(x)).toString('base64url');

function baseClaims(over: Record<string, unknown> = {}) {
  const iat = Math.floor(Date.now() / 1000);
  return { iss: ISS, aud: 'Moonraker', iat, exp: iat + 3600, username: 'ann', token_type: 'access', sid: 'sid1', jti: 'jti1', ...over };
}
function sign(claims: Record<string, unknown>, header: Record<string, unknown> = {}, key: KeyObject = privateKey) {
  return new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: KID, ...header } as any).sign(key);
}

test("sign: header {kid, alg: EdDSA, typ: JWT}; Moonraker's claims plus sid and jti", async () => {
  const { token, claims } = await svc.sign('ann', 'sid1', 'access', 3600);
  const [h, p] = token.split('.').slice(0, 2).map((x) => JSON.parse(Buffer.from(x!, 'base64url').toString()));
  assert.deepEqual(h, { kid: KID, alg: 'EdDSA', typ: 'JWT' });
  assert.deepEqual(Object.keys(p).sort(), ['aud', 'exp', 'iat', 'iss', 'jti', 'sid', 'token_type', 'username']);
  assert.equal(p.exp - p.iat, 3600);
  assert.deepEqual(p, claims);
  assert.deepEqual(await svc.verify(token, 'access'), claims);
});

test('the token type is checked: an access token is not a refresh token, and the reverse', async () => {
  const a = (await svc.sign('ann', 's', 'access', 60)).token;
  const r = (await svc.sign('ann', 's', 'refresh', 60)).token;
  assert.equal(await svc.verify(a, 'refresh'), undefined);
  assert.equal(await svc.verify(r, 'access'), undefined);
  assert.ok(await svc.verify(r, 'refresh'));
});

test('a hand-made token with the right key and claims verifies (the baseline for the cases below)', async () => {
  assert.ok(await svc.verify(await sign(baseClaims()), 'access'));
});

test('header pinning: another alg, typ or kid, or any extra header field, is refused even with a valid signature', async () => {
  for (const header of [{ typ: 'at+jwt' }, { typ: undefined }, { kid: 'other' }, { kid: undefined }, { jku: 'http://evil/' }, { x5u: 'http://evil/' }, { jwk: { kty: 'OKP' } }, { cty: 'JWT' }, { b64: true }]) {
    const h = { alg: 'EdDSA', typ: 'JWT', kid: KID, ...header } as Record<string, unknown>;
    for (const k of Object.keys(h)) if (h[k] === undefined) delete h[k];
    const token = await new SignJWT(baseClaims()).setProtectedHeader(h as any).sign(privateKey);
    assert.equal(await svc.verify(token, 'access'), undefined, JSON.stringify(header));
  }
});

test('alg "none" and HS256 under our kid are refused', async () => {
  assert.equal(await svc.verify(`${b64({ alg: 'none', typ: 'JWT', kid: KID })}.${b64(baseClaims())}.`, 'access'), undefined);
  const hs = await new SignJWT(baseClaims()).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: KID }).sign(new TextEncoder().encode('secret'));
  assert.equal(await svc.verify(hs, 'access'), undefined);
});

test('a signature by another Ed25519 key under our kid is refused', async () => {
  const other = generateKeyPairSync('ed25519').privateKey;
  assert.equal(await svc.verify(await sign(baseClaims(), {}, other), 'access'), undefined);
});

test('claims: wrong iss or aud, missing sid, jti or exp, a non-string username or unknown token_type are refused', async () => {
  const bad: Record<string, unknown>[] = [
    { iss: 'http://elsewhere' }, { aud: 'Grafana' }, { sid: undefined }, { jti: undefined }, { exp: undefined },
    { username: 42 }, { token_type: 'auth' },
  ];
  for (const over of bad) {
    const c = baseClaims(over) as Record<string, unknown>;
    for (const k of Object.keys(c)) if (c[k] === undefined) delete c[k];
    assert.equal(await svc.verify(await sign(c), 'access'), undefined, JSON.stringify(over));
  }
});

test('expiry: an expired token is refused, unless the caller asks not to check it (routes without auth, as Moonraker)', async () => {
  const iat = Math.floor(Date.now() / 1000) - 7200;
  const t = await sign(baseClaims({ iat, exp: iat + 3600 }));
  assert.equal(await svc.verify(t, 'access'), undefined);
  assert.ok(await svc.verify(t, 'access', false));
});

test('a token issued more than a minute in the future is refused', async () => {
  const iat = Math.floor(Date.now() / 1000) + 3600;
  assert.equal(await svc.verify(await sign(baseClaims({ iat, exp: iat + 3600 })), 'access'), undefined);
});

test('tampering with any part, garbage, and tokens over 4096 chars are refused without throwing', async () => {
  const t = await sign(baseClaims());
  const [h, p, s] = t.split('.');
  const forged = b64({ ...baseClaims(), username: 'root' });
  const flipped = s!.slice(0, 10) + (s![10] === 'A' ? 'B' : 'A') + s!.slice(11); // a middle character: always other bytes
  for (const x of [`${h}.${forged}.${s}`, `${h}.${p}.${flipped}`, `${h}.${p}`, '', 'a.b.c', '...', t + 'x', 'e'.repeat(5000), `${h}.${p}.${s}${'A'.repeat(5000)}`]) {
    assert.equal(await svc.verify(x, 'access'), undefined, x.slice(0, 40));
  }
});

test('the verified-token cache is keyed by the whole token: a token ending like a cached one (same signature) is not taken for it', async () => {
  const { token } = await svc.sign('ann', 'sid-tail', 'access', 3600);
  assert.ok(await svc.verify(token, 'access')); // now cached
  // Another payload in front of the same signature: an impostor that only the whole-token comparison tells apart.
  const [h, , sig] = token.split('.');
  const impostor = `${h}.${b64(baseClaims({ username: 'root', sid: 'sid-tail' }))}.${sig}`;
  assert.equal(impostor.slice(-24), token.slice(-24));
  assert.equal(await svc.verify(impostor, 'access'), undefined, 'refused by the signature check');
  assert.ok(await svc.verify(token, 'access'), 'the real token still verifies');
});

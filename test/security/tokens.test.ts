// RFC 8725 token attacks against the Moonraker face, each isolating one check:
// tokens are minted with jose and, where the attack needs a valid signature, with
// the victim's own key file, so only the claim or header under test is wrong.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { startGatehouse, type Running } from '../helpers/server.js';
import { bearer, claimsOf, createUser, headerOf, login, mint, reqFrom, unsigned, victimKey, whoami, type Login } from './helpers.js';

let s: Running;
let other: Running;
let alice: Login;
let key: ReturnType<typeof victimKey>;
let good: Record<string, any>;

const now = () => Math.floor(Date.now() / 1000);

/** Alice's real access-token claims with `over` applied (undefined deletes a claim). */
function claims(over: Record<string, unknown> = {}) {
  const c: Record<string, unknown> = { ...good, iat: now(), exp: now() + 3600, ...over };
  for (const [k, v] of Object.entries(over)) if (v === undefined) delete c[k];
  return c;
}
const header = (over: Record<string, unknown> = {}) => ({ alg: 'EdDSA', typ: 'JWT', kid: key.kid, ...over });

/** The token is refused everywhere a Moonraker client could present it. */
async function assertRefused(token: string) {
  const a = await whoami(s, token);
  assert.equal(a.status, 401, a.text);
  assert.equal(a.json.error.message, 'JWT Decode Error');
  const b = await s.req('GET', '/access/user', { headers: { 'x-access-token': token } });
  assert.equal(b.status, 401);
  const c = await s.req('GET', `/access/user?access_token=${encodeURIComponent(token)}`);
  assert.equal(c.status, 401);
}

before(async () => {
  s = await startGatehouse();
  other = await startGatehouse();
  alice = await createUser(s, 'alice', 'alice-password-1');
  await createUser(other, 'alice', 'alice-password-1');
  key = victimKey(s.dataDir);
  good = claimsOf(alice.token);
  // The baseline: a token minted by hand from alice's real claims is accepted,
  // so every refusal below is down to the one thing each test changes.
  const control = await whoami(s, await mint(key.privateKey, claims(), header()));
  assert.equal(control.status, 200, control.text);
  assert.equal(control.json.result.username, 'alice');
});
after(async () => {
  await s.stop();
  await other.stop();
});

describe('pinned algorithm and header (RFC 8725 §2.1, §3.1)', () => {
  test('alg "none" with an empty signature is refused', async () => {
    await assertRefused(unsigned(claims(), { alg: 'none', typ: 'JWT', kid: key.kid }));
    await assertRefused(unsigned(claims(), { alg: 'none' }));
    await assertRefused(unsigned(claims(), { alg: 'None', typ: 'JWT', kid: key.kid }));
  });

  test('algorithm confusion: HS256 keyed with the server public key is refused', async () => {
    for (const secret of [key.publicPem, key.publicKey.export({ type: 'spki', format: 'der' })]) {
      const t = await mint(new Uint8Array(Buffer.from(secret)), claims(), header({ alg: 'HS256' }));
      assert.equal(headerOf(t).alg, 'HS256');
      await assertRefused(t);
    }
  });

  test('a signature by the right key under another alg name (Ed25519 spelled "EdDSA" only)', async () => {
    const t = await mint(key.privateKey, claims(), header({ alg: 'Ed25519' }));
    await assertRefused(t);
  });

  test('a foreign kid is refused even with a valid signature', async () => {
    await assertRefused(await mint(key.privateKey, claims(), header({ kid: 'not-our-key-id' })));
    await assertRefused(await mint(key.privateKey, claims(), header({ kid: undefined })));
  });

  test('jku, x5u, jwk, x5c and crit headers are refused even with a valid signature', async () => {
    const { publicKey: attackerPub } = generateKeyPairSync('ed25519');
    const jwk = attackerPub.export({ format: 'jwk' });
    for (const extra of [
      { jku: 'https://attacker.example/jwks.json' },
      { x5u: 'https://attacker.example/cert.pem' },
      { jwk },
      { x5c: ['MIIBfake'] },
    ]) await assertRefused(await mint(key.privateKey, claims(), header(extra)));
    // `crit` must be understood or refused; jose refuses to sign an unknown one, so build it by hand.
    const parts = (await mint(key.privateKey, claims(), header())).split('.');
    await assertRefused(`${Buffer.from(JSON.stringify(header({ crit: ['exp'] }))).toString('base64url')}.${parts[1]}.${parts[2]}`);
  });

  test('typ other than JWT is refused', async () => {
    await assertRefused(await mint(key.privateKey, claims(), header({ typ: 'at+jwt' })));
  });

  test('a token signed by another gatehouse instance (its own key, same username) is refused', async () => {
    const theirs = await login(other, 'alice', 'alice-password-1');
    assert.equal((await whoami(other, theirs.token)).status, 200);
    await assertRefused(theirs.token);
  });

  test("an attacker's own Ed25519 key under the victim's kid is refused", async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    await assertRefused(await mint(privateKey, claims(), header()));
  });

  test('a tampered payload under a real signature is refused', async () => {
    const [h, , sig] = alice.token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claimsOf(alice.token), username: 'admin' })).toString('base64url');
    await assertRefused(`${h}.${forged}.${sig}`);
    await assertRefused(`${h}.${alice.token.split('.')[1]}.${sig!.slice(0, -4)}AAAA`);
    // The same signature bytes spelled differently (the spare low bits of the last base64url character).
    const last = sig!.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelled = alphabet[alphabet.indexOf(last) ^ 1]!;
    assert.deepEqual(Buffer.from(sig!.slice(0, -1) + respelled, 'base64url'), Buffer.from(sig!, 'base64url'));
    await assertRefused(`${h}.${alice.token.split('.')[1]}.${sig!.slice(0, -1)}${respelled}`);
  });
});

describe('claims (RFC 8725 §3.8–3.11)', () => {
  test('wrong iss is refused', async () => {
    await assertRefused(await mint(key.privateKey, claims({ iss: 'http://evil.example:7125' }), header()));
    await assertRefused(await mint(key.privateKey, claims({ iss: undefined }), header()));
  });

  test('wrong aud is refused', async () => {
    await assertRefused(await mint(key.privateKey, claims({ aud: 'Grafana' }), header()));
    await assertRefused(await mint(key.privateKey, claims({ aud: undefined }), header()));
  });

  test('a refresh token used as an access token is refused', async () => {
    assert.equal(claimsOf(alice.refresh).token_type, 'refresh');
    await assertRefused(alice.refresh);
    await assertRefused(await mint(key.privateKey, claims({ token_type: 'refresh' }), header()));
    await assertRefused(await mint(key.privateKey, claims({ token_type: undefined }), header()));
    await assertRefused(await mint(key.privateKey, claims({ token_type: 'id' }), header()));
  });

  test('an access token used as a refresh token is refused', async () => {
    const r = await s.req('POST', '/access/refresh_jwt', { body: { refresh_token: alice.token } });
    assert.equal(r.status, 401);
    assert.equal(r.json.error.message, 'Invalid Refresh Token');
  });

  test('an expired token is refused', async () => {
    await assertRefused(await mint(key.privateKey, claims({ iat: now() - 7200, exp: now() - 10 }), header()));
    const r = await s.req('POST', '/access/refresh_jwt', {
      body: { refresh_token: await mint(key.privateKey, { ...claims({ iat: now() - 7200, exp: now() - 10 }), token_type: 'refresh' }, header()) },
    });
    assert.equal(r.status, 401);
  });

  test('a not-yet-valid token (nbf in the future, or iat in the future) is refused', async () => {
    await assertRefused(await mint(key.privateKey, claims({ nbf: now() + 600 }), header()));
    await assertRefused(await mint(key.privateKey, claims({ iat: now() + 600, exp: now() + 4200 }), header()));
  });

  test('missing exp, sid or username is refused', async () => {
    await assertRefused(await mint(key.privateKey, claims({ exp: undefined }), header()));
    await assertRefused(await mint(key.privateKey, claims({ sid: undefined }), header()));
    await assertRefused(await mint(key.privateKey, claims({ username: undefined }), header()));
    await assertRefused(await mint(key.privateKey, claims({ username: 42 }), header()));
  });

  test("a token naming one user with another user's login family is refused", async () => {
    const bob = await createUser(s, 'bob-family', 'bob-password-1');
    await assertRefused(await mint(key.privateKey, claims({ username: 'bob-family' }), header()));
    await assertRefused(await mint(key.privateKey, { ...claimsOf(bob.token), iat: now(), exp: now() + 60, username: 'alice' }, header()));
  });

  test('a token with an invented login family is refused', async () => {
    await assertRefused(await mint(key.privateKey, claims({ sid: 'AAAAAAAAAAAAAAAAAAAAAA' }), header()));
  });

  test('oversized and malformed tokens are refused without a 5xx', async () => {
    await assertRefused('x'.repeat(5000));
    await assertRefused(`${alice.token}.extra`);
    await assertRefused('a.b.c');
    await assertRefused('....');
  });
});

describe('revocation', () => {
  test('tokens of a deleted user are refused, also after the name is reused', async () => {
    const carol = await createUser(s, 'carol', 'carol-password-1');
    assert.equal((await whoami(s, carol.token)).status, 200);
    const del = await s.req('DELETE', '/access/user', { body: { username: 'carol' }, headers: { 'x-api-key': s.apiKey() } });
    assert.equal(del.status, 200, del.text);
    await assertRefused(carol.token);
    let r = await s.req('POST', '/access/refresh_jwt', { body: { refresh_token: carol.refresh } });
    assert.equal(r.status, 401);
    // A new account under the same name does not revive the old tokens.
    await createUser(s, 'carol', 'another-password');
    await assertRefused(carol.token);
    r = await s.req('POST', '/access/refresh_jwt', { body: { refresh_token: carol.refresh } });
    assert.equal(r.status, 401);
  });

  test("tokens from before a password change are refused (the changer's own login survives, as its UI stays signed in)", async () => {
    const dave = await createUser(s, 'dave', 'dave-password-1');
    const stolen = await login(s, 'dave', 'dave-password-1');
    const change = await s.req('POST', '/access/user/password', {
      headers: bearer(dave.token), body: { password: 'dave-password-1', new_password: 'dave-password-2' },
    });
    assert.equal(change.status, 200, change.text);
    await assertRefused(stolen.token);
    const r = await s.req('POST', '/access/refresh_jwt', { body: { refresh_token: stolen.refresh } });
    assert.equal(r.status, 401);
    assert.equal((await whoami(s, dave.token)).status, 200);
    // The old password no longer logs in; the new one does.
    assert.equal((await s.req('POST', '/access/login', { body: { username: 'dave', password: 'dave-password-1' } })).status, 400);
    await login(s, 'dave', 'dave-password-2');
  });

  test('logout revokes every token of the user', async () => {
    const erin = await createUser(s, 'erin', 'erin-password-1');
    const second = await login(s, 'erin', 'erin-password-1');
    const out = await s.req('POST', '/access/logout', { headers: bearer(erin.token) });
    assert.equal(out.status, 200);
    await assertRefused(erin.token);
    await assertRefused(second.token);
    assert.equal((await s.req('POST', '/access/refresh_jwt', { body: { refresh_token: second.refresh } })).status, 401);
  });
});

describe('oneshot tokens and addresses', () => {
  test('a oneshot token works once, only from the address that asked for it; a try from elsewhere spends it', async () => {
    const mk = async () => (await s.req('GET', '/access/oneshot_token', { headers: bearer(alice.token) })).json.result as string;
    const t1 = await mk();
    assert.equal((await s.req('GET', `/access/user?token=${t1}`)).status, 200);
    assert.equal((await s.req('GET', `/access/user?token=${t1}`)).status, 401, 'replay');
    const t2 = await mk();
    assert.equal((await reqFrom(s, '127.0.0.2', 'GET', `/access/user?token=${t2}`)).status, 401, 'another address');
    assert.equal((await s.req('GET', `/access/user?token=${t2}`)).status, 401, 'spent by the try from elsewhere');
  });

  test('differs from Moonraker: with trusted_proxies empty (the default), a spoofed X-Forwarded-For / X-Real-IP does not make a client trusted, the socket address counts (Moonraker believes them from any client: Tornado xheaders)', async () => {
    const t = await startGatehouse({ authorization: { trusted_clients: ['10.9.8.0/24'] } });
    try {
      for (const h of <Record<string, string>[]>[{ 'x-forwarded-for': '10.9.8.7' }, { 'x-real-ip': '10.9.8.7' }, { forwarded: 'for=10.9.8.7' }]) {
        const r = await t.req('GET', '/access/user', { headers: h });
        assert.equal(r.status, 401, JSON.stringify(h));
        assert.equal((await t.req('GET', '/access/info', { headers: h })).json.result.trusted, false);
      }
    } finally {
      await t.stop();
    }
  });
});

describe('refresh-token rotation', () => {
  test('off (the Moonraker default): the refresh token from login keeps working and none is returned', async () => {
    const frank = await createUser(s, 'frank', 'frank-password-1');
    for (let i = 0; i < 3; i++) {
      const r = await s.req('POST', '/access/refresh_jwt', { body: { refresh_token: frank.refresh } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.result.refresh_token, undefined);
      assert.equal((await whoami(s, r.json.result.token)).status, 200);
    }
  });

  test('differs from Moonraker: with [authorization] refresh_token_rotation on (off by default), each refresh returns a new refresh token and presenting a spent one revokes the whole family', async () => {
    const rot = await startGatehouse({ authorization: { refresh_token_rotation: true } });
    try {
      const g = await createUser(rot, 'grace', 'grace-password-1');
      const unrelated = await login(rot, 'grace', 'grace-password-1');
      const r1 = await rot.req('POST', '/access/refresh_jwt', { body: { refresh_token: g.refresh } });
      assert.equal(r1.status, 200, r1.text);
      const r2token = r1.json.result.refresh_token;
      assert.ok(r2token && r2token !== g.refresh);
      const r2 = await rot.req('POST', '/access/refresh_jwt', { body: { refresh_token: r2token } });
      assert.equal(r2.status, 200);
      const r3token = r2.json.result.refresh_token;
      // Replay of a spent token: refused, and the family is gone (newest refresh and every access token).
      const replay = await rot.req('POST', '/access/refresh_jwt', { body: { refresh_token: g.refresh } });
      assert.equal(replay.status, 401);
      assert.equal((await rot.req('POST', '/access/refresh_jwt', { body: { refresh_token: r3token } })).status, 401);
      for (const t of [g.token, r1.json.result.token, r2.json.result.token]) assert.equal((await whoami(rot, t)).status, 401);
      // Another login of the same user is another family: untouched.
      assert.equal((await whoami(rot, unrelated.token)).status, 200);
      const audit = await rot.gh.core.audit.query({ event: 'refresh_reuse_detected' });
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.username, 'grace');
    } finally {
      await rot.stop();
    }
  });
});

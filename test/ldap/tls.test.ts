// TLS to the directory: ldaps:// (ldap_secure) and StartTLS (start_tls) against
// the test slapd, whose certificate is signed by a CA made for the test; ca_file
// names that CA. A certificate from another CA is refused, with a 503 naming LDAP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, type Running } from '../helpers/server.js';
import { OTHER_LOOPBACK, startSlapd, type Slapd } from './slapd.js';
import { login, logText, withLdap } from './helpers.js';
import type { LdapOptions } from '../../src/core/user-sources/ldap.js';

let slapd: Slapd;
before(async () => { slapd = await startSlapd(); });
after(() => slapd?.close());

async function withServer(over: Partial<LdapOptions>, fn: (g: Running) => Promise<void>) {
  const g = await startGatehouse(withLdap(slapd, over));
  try {
    await fn(g);
  } finally {
    await g.stop();
  }
}

const refusedCertificate = (r: { status: number; json: any }) => {
  assert.equal(r.status, 503, JSON.stringify(r.json));
  assert.match(r.json.error.message, /^LDAP error: the directory's TLS certificate was refused \(\w+\)$/);
};

test('ldaps:// with ca_file: logins work', async () => {
  await withServer({ ldapSecure: true, ldapPort: slapd.ldapsPort, caFile: slapd.caFile }, async (g) => {
    const r = await login(g, 'alice', 'alice-pw');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.result.source, 'ldap');
    assert.equal((await login(g, 'alice', 'wrong')).status, 401);
  });
});

test('StartTLS with ca_file: logins work', async () => {
  await withServer({ startTls: true, caFile: slapd.caFile }, async (g) => {
    const r = await login(g, 'alice', 'alice-pw');
    assert.equal(r.status, 200, r.text);
    assert.equal((await login(g, 'bob', 'wrong')).status, 401);
  });
});

test('ldaps:// to a certificate of another CA is refused (ca_file of another CA, or the system CAs)', async () => {
  await withServer({ ldapSecure: true, ldapPort: slapd.ldapsPort, caFile: slapd.otherCaFile }, async (g) => {
    refusedCertificate(await login(g, 'alice', 'alice-pw'));
    assert.match(logText(g), /LDAP authentication failed: the directory's TLS certificate was refused/);
    assert.equal(await g.gh.store.users.byUsername('alice'), undefined);
  });
  await withServer({ ldapSecure: true, ldapPort: slapd.ldapsPort }, async (g) => {
    refusedCertificate(await login(g, 'alice', 'alice-pw'));
  });
});

test('StartTLS to a certificate of another CA is refused before any credential is sent', async () => {
  await withServer({ startTls: true, caFile: slapd.otherCaFile }, async (g) => {
    refusedCertificate(await login(g, 'alice', 'alice-pw'));
  });
  await withServer({ startTls: true }, async (g) => {
    refusedCertificate(await login(g, 'alice', 'alice-pw'));
  });
});

test('the certificate must name the host connected to', async () => {
  // The server certificate names 127.0.0.1 and localhost; "localhost" resolves to the same slapd.
  await withServer({ ldapHost: 'localhost', ldapSecure: true, ldapPort: slapd.ldapsPort, caFile: slapd.caFile }, async (g) => {
    const r = await login(g, 'alice', 'alice-pw');
    assert.equal(r.status, 200, r.text);
  });
  // slapd also answers ldaps on 127.0.0.2, which its certificate does not name.
  await withServer({ ldapHost: OTHER_LOOPBACK, ldapSecure: true, ldapPort: slapd.ldapsPort, caFile: slapd.caFile }, async (g) => {
    refusedCertificate(await login(g, 'alice', 'alice-pw'));
    assert.match(logText(g), /ERR_TLS_CERT_ALTNAME_INVALID/);
  });
});

test('ldap_secure against a plain LDAP port fails clearly (503 naming LDAP)', async () => {
  await withServer({ ldapSecure: true, ldapPort: slapd.port, caFile: slapd.caFile, timeoutMs: 2000 }, async (g) => {
    const r = await login(g, 'alice', 'alice-pw');
    assert.equal(r.status, 503, r.text);
    assert.match(r.json.error.message, /^LDAP error: /);
  });
});

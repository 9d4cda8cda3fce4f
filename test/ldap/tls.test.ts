// TLS to the directory: ldaps:// (ldap_secure) and StartTLS (start_tls) against
// the test slapd, whose certificate is signed by a CA made for the test; ca_file
// names that CA. A certificate from another CA is refused, with a 503 naming LDAP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGatehouse, type Running } from '../helpers/server.js';
import { OTHER_LOOPBACK, startSlapd, type Slapd } from './slapd.js';
import { login, logText, withLdap } from './helpers.js';
import type { LdapConfig } from './helpers.js';

let slapd: Slapd;
before(async () => { slapd = await startSlapd(); });
after(() => slapd?.close());

async function withServer(over: LdapConfig, fn: (g: Running) => Promise<void>) {
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
  await withServer({ ldap_secure: true, ldap_port: slapd.ldapsPort, ca_file: slapd.caFile }, async (g) => {
    const r = await login(g, 'alice', 'alice-pw');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.result.source, 'ldap');
    assert.equal((await login(g, 'alice', 'wrong')).status, 401);
  });
});

test('StartTLS with ca_file: logins work', async () => {
  await withServer({ start_tls: true, ca_file: slapd.caFile }, async (g) => {
    const r = await login(g, 'alice', 'alice-pw');
    assert.equal(r.status, 200, r.text);
    assert.equal((await login(g, 'bob', 'wrong')).status, 401);
  });
});

test('ldaps:// to a certificate of another CA is refused (ca_file of another CA, or the system CAs)', async () => {
  await withServer({ ldap_secure: true, ldap_port: slapd.ldapsPort, ca_file: slapd.otherCaFile }, async (g) => {
    refusedCertificate(await login(g, 'alice', 'alice-pw'));
    assert.match(logText(g), /LDAP authentication failed: the directory's TLS certificate was refused/);
    assert.equal(await g.gh.store.users.byUsername('alice'), undefined);
  });
  await withServer({ ldap_secure: true, ldap_port: slapd.ldapsPort }, async (g) => {
    refusedCertificate(await login(g, 'alice', 'alice-pw'));
  });
});

test('StartTLS to a certificate of another CA is refused before any credential is sent', async () => {
  await withServer({ start_tls: true, ca_file: slapd.otherCaFile }, async (g) => {
    refusedCertificate(await login(g, 'alice', 'alice-pw'));
  });
  await withServer({ start_tls: true }, async (g) => {
    refusedCertificate(await login(g, 'alice', 'alice-pw'));
  });
});

test('the certificate must name the host connected to', async () => {
  // The server certificate names 127.0.0.1 and localhost; "localhost" resolves to the same slapd.
  await withServer({ ldap_host: 'localhost', ldap_secure: true, ldap_port: slapd.ldapsPort, ca_file: slapd.caFile }, async (g) => {
    const r = await login(g, 'alice', 'alice-pw');
    assert.equal(r.status, 200, r.text);
  });
  // slapd also answers ldaps on 127.0.0.2, which its certificate does not name.
  await withServer({ ldap_host: OTHER_LOOPBACK, ldap_secure: true, ldap_port: slapd.ldapsPort, ca_file: slapd.caFile }, async (g) => {
    refusedCertificate(await login(g, 'alice', 'alice-pw'));
    assert.match(logText(g), /ERR_TLS_CERT_ALTNAME_INVALID/);
  });
});

test('ldap_secure against a plain LDAP port fails clearly (503 naming LDAP)', async () => {
  await withServer({ ldap_secure: true, ldap_port: slapd.port, ca_file: slapd.caFile, timeout_ms: 2000 }, async (g) => {
    const r = await login(g, 'alice', 'alice-pw');
    assert.equal(r.status, 503, r.text);
    assert.match(r.json.error.message, /^LDAP error: /);
  });
});

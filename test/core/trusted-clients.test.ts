// trusted_clients matching: addresses, CIDR ranges (IPv4 and IPv6, also for
// IPv4-mapped IPv6 clients), and domains through the reverse lookup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as dns } from 'node:dns';
import { normalizeIp, TrustedClients } from '../../src/core/security/trusted-clients.js';

test('normalizeIp unwraps IPv4-mapped IPv6 and leaves everything else alone', () => {
  assert.equal(normalizeIp('::ffff:10.0.0.1'), '10.0.0.1');
  assert.equal(normalizeIp('10.0.0.1'), '10.0.0.1');
  assert.equal(normalizeIp('::1'), '::1');
  assert.equal(normalizeIp('::ffff:abcd'), '::ffff:abcd');
  assert.equal(normalizeIp('fe80::1'), 'fe80::1');
});

test('an IPv4 address entry matches that address, also when the client arrives IPv4-mapped', async () => {
  const t = new TrustedClients(['192.168.1.10']);
  assert.equal(await t.isTrusted('192.168.1.10'), true);
  assert.equal(await t.isTrusted('::ffff:192.168.1.10'), true);
  assert.equal(await t.isTrusted('192.168.1.11'), false);
  assert.equal(await t.isTrusted('::ffff:192.168.1.11'), false);
});

test('an IPv4 CIDR entry matches inside the range only (mapped clients too)', async () => {
  const t = new TrustedClients(['10.0.0.0/8', '192.168.1.0/24']);
  for (const ip of ['10.0.0.0', '10.255.255.255', '::ffff:10.1.2.3', '192.168.1.200']) assert.equal(await t.isTrusted(ip), true, ip);
  for (const ip of ['11.0.0.1', '9.255.255.255', '192.168.2.1', '::ffff:192.168.2.1', '::1']) assert.equal(await t.isTrusted(ip), false, ip);
});

test('IPv6 address and CIDR entries', async () => {
  const t = new TrustedClients(['::1', 'fd00::/8']);
  assert.equal(await t.isTrusted('::1'), true);
  assert.equal(await t.isTrusted('fd12:3456::1'), true);
  assert.equal(await t.isTrusted('fe80::1'), false);
  assert.equal(await t.isTrusted('127.0.0.1'), false);
});

test('an IPv4-mapped IPv6 entry matches the plain IPv4 client', async () => {
  const t = new TrustedClients(['::ffff:172.16.0.5']);
  assert.equal(await t.isTrusted('172.16.0.5'), true);
  assert.equal(await t.isTrusted('172.16.0.6'), false);
});

test('an empty list trusts nobody', async () => {
  const t = new TrustedClients([]);
  assert.equal(t.empty, true);
  assert.equal(await t.isTrusted('127.0.0.1'), false);
});

test('a client address that is not an IP is never trusted (no lookup of arbitrary names)', async () => {
  const t = new TrustedClients(['localhost', '0.0.0.0/0']);
  for (const ip of ['', 'localhost', 'not an ip', '127.0.0.1 ', '999.1.1.1']) assert.equal(await t.isTrusted(ip), false, JSON.stringify(ip));
});

test('a domain entry matches the reverse lookup (getnameinfo) of the client, case-insensitively', async (t) => {
  const name = await dns.lookupService('127.0.0.1', 0).then((r) => r.hostname, () => undefined);
  if (!name) return t.skip('127.0.0.1 has no name here');
  assert.equal(await new TrustedClients([name.toUpperCase()]).isTrusted('127.0.0.1'), true);
  assert.equal(await new TrustedClients([name]).isTrusted('::ffff:127.0.0.1'), true);
  assert.equal(await new TrustedClients(['printer.example.org']).isTrusted('127.0.0.1'), false);
});

test('an address without a reverse name does not match any domain', async () => {
  assert.equal(await new TrustedClients(['localhost']).isTrusted('127.0.0.2'), false);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bool, corsDomain, duration, int, ipOrNetwork, list, parseDuration, trustedClient } from '../../src/config/values.js';

test('booleans: true/false/yes/no/on/off/1/0 in any case', () => {
  for (const s of ['true', 'True', 'YES', 'on', '1']) assert.equal(bool.parse(s), true, s);
  for (const s of ['false', 'False', 'no', 'OFF', '0']) assert.equal(bool.parse(s), false, s);
  for (const s of ['maybe', 'constructor', '2', 'truee']) assert.equal(bool.safeParse(s).success, false, s);
});

test('integers, with ranges', () => {
  assert.equal(int().parse('-12'), -12);
  assert.equal(int({ min: 1 }).safeParse('0').error?.issues[0]?.message, 'expected an integer >= 1, got "0"');
  for (const s of ['1.5', '1e3', '12abc', '0x10', '99999999999999999999']) assert.equal(int().safeParse(s).success, false, s);
});

test('Grafana durations become seconds', () => {
  const cases: [string, number][] = [
    ['30s', 30], ['10m', 600], ['1h', 3600], ['1h30m', 5400], ['7d', 604800], ['2w', 1209600],
    ['1M', 2592000], ['1y', 31536000], ['0', 0], ['1.5h', 5400], ['1500ms', 2],
  ];
  for (const [s, seconds] of cases) assert.equal(parseDuration(s), seconds, s);
  for (const s of ['7', 'd', '7 d', '-1h', '1d2h', 'forever']) assert.equal(parseDuration(s), undefined, s);
  assert.equal(duration.safeParse('7').error?.issues[0]?.message, 'expected a duration like 30s, 10m, 1h or 7d (at most 100y), got "7"');
});

test('issue 17 finding 8: every duration is bounded at input (a date past 9999 or a timer past 2^31-1 ms breaks far from where it was set)', () => {
  assert.equal(duration.parse('100y'), 100 * 365 * 86400);
  for (const s of ['101y', '99999999999d', '9999999999999h']) assert.equal(duration.safeParse(s).success, false, s);
  assert.equal(duration.safeParse(Number.MAX_SAFE_INTEGER).success, false);
});

test('lists split on newlines; `commas` also on commas', () => {
  assert.deepEqual(list().parse('\n a \n\n b,c \n'), ['a', 'b,c']);
  assert.deepEqual(list({ commas: true }).parse('a, b\nc'), ['a', 'b', 'c']);
});

test('trusted_clients entries: IPs, CIDR networks without host bits, domain names', () => {
  const good = ['192.168.1.10', '10.0.0.0/8', '192.168.1.0/24', '0.0.0.0/0', '::1', 'fd00::/8', '2001:db8::/32',
    '::ffff:10.0.0.0/104', 'printer.local', 'my-printer.lan', 'localhost', 'octopi'];
  for (const s of good) assert.equal(trustedClient(s), s);
  const bad: [string, RegExp][] = [
    ['192.168.1.1/24', /host bits/], ['2001:db8::1/32', /host bits/], ['10.0.0.0/33', /prefix length/],
    ['Printer.Local', /domain/], ['bad_host', /domain/], ['-x.lan', /domain/], ['a', /domain/], ['1.2.3.4.5', /domain/],
  ];
  for (const [s, why] of bad) assert.throws(() => trustedClient(s), why, s);
});

test('the domain check does not backtrack catastrophically', () => {
  const start = Date.now();
  assert.throws(() => trustedClient('a'.repeat(5000) + '!'));
  assert.ok(Date.now() - start < 1000);
});

test('cors_domains: no wildcard in the top-level domain, no trailing slash', () => {
  for (const s of ['http://*.local', 'https://my.printer.lan:*', '*.example.com', 'http://app.example.com']) assert.equal(corsDomain(s), s);
  assert.throws(() => corsDomain('http://printer.*'), /top-level domain/);
  assert.throws(() => corsDomain('*.example.c*'), /top-level domain/);
  assert.throws(() => corsDomain('http://app.example.com/'), /trailing|end with/);
});

test('trusted_proxies entries: IPs and CIDR networks only (a host name is refused: the peer address is what is checked)', () => {
  for (const s of ['127.0.0.1', '10.255.0.0/16', '::1', '2001:db8::/32']) assert.equal(ipOrNetwork(s), s);
  for (const s of ['nginx.local', 'localhost', '10.255.0.1/16', '10.0.0.0/33', '']) assert.throws(() => ipOrNetwork(s), Error, s);
});

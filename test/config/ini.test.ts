import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIni } from '../../src/config/ini.js';
import { ConfigError } from '../../src/config/errors.js';

const options = (text: string, section: string) =>
  Object.fromEntries([...parseIni(text, 'x.conf').get(section)!.options].map(([k, o]) => [k, o.value]));

test('reads moonraker `key: value` and grafana `key = value` syntax', () => {
  const text = '[server]\nhost: 0.0.0.0\nport:7125\n[security]\nadmin_user = root\nsecret_key=abc=def\n';
  assert.deepEqual(options(text, 'server'), { host: '0.0.0.0', port: '7125' });
  assert.deepEqual(options(text, 'security'), { admin_user: 'root', secret_key: 'abc=def' });
});

test('the first delimiter splits key from value; option names are lower-cased', () => {
  assert.deepEqual(options('[gatehouse]\nPostgres_URL = postgres://u:p@db/gh\n', 'gatehouse'), { postgres_url: 'postgres://u:p@db/gh' });
});

test('keeps section names with dots and spaces', () => {
  const sections = parseIni('[auth.basic]\nenabled = true\n[update_manager mainsail]\ntype: web\n[include printers/*.cfg]\n', 'x.conf');
  assert.deepEqual([...sections.keys()], ['auth.basic', 'update_manager mainsail', 'include printers/*.cfg']);
});

test('full-line and inline comments', () => {
  const text = [
    '# moonraker style',
    '; grafana style',
    '[authorization]  # trailing comment on a header',
    'force_logins: True  # inline',
    'login_timeout = 30 ; inline too',
    '  # an indented comment line',
    'cors_domains: http://a#b;c',
  ].join('\n');
  assert.deepEqual(options(text, 'authorization'), { force_logins: 'True', login_timeout: '30', cors_domains: 'http://a#b;c' });
});

test('indented lines continue a value, one list element per line', () => {
  const text = [
    '[authorization]',
    'trusted_clients:',
    '    10.0.0.0/8',
    '',
    '    # a comment in the middle',
    '    printer.local   # inline',
    'force_logins: false',
  ].join('\n');
  assert.deepEqual(options(text, 'authorization'), { trusted_clients: '10.0.0.0/8\nprinter.local', force_logins: 'false' });
});

test('each option keeps its file and 1-based line', () => {
  const opt = parseIni('\n[a]\n\nkey: v\n  more\nnext = 2\n', 'dir/m.conf').get('a')!.options;
  assert.deepEqual({ ...opt.get('key') }, { name: 'key', value: 'v\nmore', file: 'dir/m.conf', line: 4 });
  assert.equal(opt.get('next')!.line, 6);
});

test('a repeated section adds to the first', () => {
  assert.deepEqual(options('[a]\nx: 1\n[b]\n[a]\ny: 2\n', 'a'), { x: '1', y: '2' });
});

test('CRLF line endings and a BOM', () => {
  assert.deepEqual(options('\uFEFF[a]\r\nx: 1\r\n  2\r\n', 'a'), { x: '1\n2' });
});

test('a duplicate option is an error with file:line', () => {
  assert.throws(() => parseIni('[authorization]\nforce_logins: true\n\nForce_Logins = false\n', 'm.conf'),
    (e: Error) => e instanceof ConfigError && /^m\.conf:4: \[authorization\] force_logins: duplicate option \(first set at m\.conf:2\)/.test(e.message));
});

test('a syntax error names file and line', () => {
  assert.throws(() => parseIni('[a]\nx: 1\nthis line is nonsense\n', 'm.conf'),
    (e: Error) => e instanceof ConfigError && e.message.startsWith('m.conf:3: syntax error') && e.message.includes('this line is nonsense'));
  assert.throws(() => parseIni('[a\n', 'm.conf'), /^ConfigError: m\.conf:1: syntax error/);
  assert.throws(() => parseIni('[]\n', 'm.conf'), /m\.conf:1: syntax error/);
});

test('an option before any section is an error', () => {
  assert.throws(() => parseIni('# header\nhost: 1.2.3.4\n', 'm.conf'), /^ConfigError: m\.conf:2: option "host" appears before any \[section\]/);
});

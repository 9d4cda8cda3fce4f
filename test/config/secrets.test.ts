// Issue 16, point 4: `{secrets.<section>.<option>}` in option values, resolved
// from the secrets file (INI or JSON, as Moonraker reads it) named by
// `[secrets] secrets_path`, or found where Moonraker looks for it. The exact
// rules, and where gatehouse deliberately goes further, are in
// docs/notes/moonraker-args-and-secrets.md §6.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { startFromConfig } from '../helpers/server.js';


const dir = mkdtempSync(join(tmpdir(), 'gatehouse-secrets-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
/** Writes `text` to a fresh file (in `sub`, if given) and returns its path. */
function file(text: string, name = `c${n++}.conf`, sub = ''): string {
  mkdirSync(join(dir, sub), { recursive: true });
  const path = join(dir, sub, name);
  writeFileSync(path, text);
  return path;
}
function throwsConfig(fn: () => unknown, ...parts: string[]) {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof ConfigError, `not a ConfigError: ${e}`);
    for (const p of parts) assert.ok(e.message.includes(p), `${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    return true;
  });
}

// A moonraker.secrets in INI form, as Moonraker's docs show it: read by
// configparser, so option names are lower-cased and ` # …` inside a value is
// part of the value (configparser has no inline comments by default).
const SECRETS_INI = `# moonraker.secrets
[ldap_credentials]
Bind_User: moonraker
bind_password = p@ss #1 ; still the password
base_dn: DC=example,DC=com
group: CN=printers,OU=groups,DC=example,DC=com
`;

const LDAP_WITH_TEMPLATES = `[ldap]
ldap_host: ldap.example.com
base_dn: {secrets.ldap_credentials.base_dn}
bind_dn: CN={secrets.ldap_credentials.bind_user},OU=svc,DC=example,DC=com
bind_password: {secrets.ldap_credentials.bind_password}
group_dn: { secrets.ldap_credentials.group }
`;

test('INI secrets file named by [secrets] secrets_path: every {secrets.<section>.<option>} in [ldap] is replaced, inside other text too', () => {
  const secrets = file(SECRETS_INI, 'moonraker.secrets');
  const path = file(`[secrets]\nsecrets_path: ${secrets}\n\n${LDAP_WITH_TEMPLATES}`);
  const { config, warnings } = loadConfig({ file: path, env: {} });
  assert.equal(config.ldap?.base_dn, 'DC=example,DC=com');
  assert.equal(config.ldap?.bind_dn, 'CN=moonraker,OU=svc,DC=example,DC=com');
  assert.equal(config.ldap?.bind_password, 'p@ss #1 ; still the password');
  assert.equal(config.ldap?.group_dn, 'CN=printers,OU=groups,DC=example,DC=com');
  assert.deepEqual(warnings.filter((w) => w.includes('[secrets]')), [], '[secrets] is read, not ignored');
});

test('JSON secrets file: strings as they are, numbers and booleans as Python prints them (so 636 and true parse as a port and a boolean)', () => {
  const secrets = file(JSON.stringify({ ldap: { host: 'ldap.example.com', port: 636, secure: true, password: 'hunter2' } }), 'secrets.json');
  const path = file(`[secrets]
secrets_path: ${secrets}
[ldap]
ldap_host: {secrets.ldap.host}
ldap_port: {secrets.ldap.port}
ldap_secure: {secrets.ldap.secure}
base_dn: dc=example,dc=com
bind_dn: cn=svc,dc=example,dc=com
bind_password: {secrets.ldap.password}
`);
  const { config } = loadConfig({ file: path, env: {} });
  assert.equal(config.ldap?.ldap_host, 'ldap.example.com');
  assert.equal(config.ldap?.ldap_port, 636);
  assert.equal(config.ldap?.ldap_secure, true);
  assert.equal(config.ldap?.bind_password, 'hunter2');
});

test('without secrets_path, moonraker.secrets in the data directory (printer_data/, above config/moonraker.conf) is used, where Moonraker looks for it', () => {
  file(SECRETS_INI, 'moonraker.secrets', 'printer_data');
  const path = file(LDAP_WITH_TEMPLATES, 'moonraker.conf', 'printer_data/config');
  assert.equal(loadConfig({ file: path, env: {} }).config.ldap?.bind_password, 'p@ss #1 ; still the password');
});

test('differs from Moonraker: a secret that cannot be resolved stops start-up naming file:line, the option, the reference and the secrets file (Moonraker renders a missing option as an empty value)', () => {
  const secrets = file(SECRETS_INI, 'moonraker.secrets');
  const head = `[secrets]\nsecrets_path: ${secrets}\n[ldap]\nldap_host: h\nbase_dn: dc=x\nbind_dn: cn=svc\n`;
  const missingOption = file(`${head}bind_password: {secrets.ldap_credentials.nope}\n`);
  throwsConfig(() => loadConfig({ file: missingOption, env: {} }), `${missingOption}:7: [ldap] bind_password:`, 'secrets.ldap_credentials.nope', secrets);
  const missingSection = file(`${head}bind_password: {secrets.nope.bind_password}\n`);
  throwsConfig(() => loadConfig({ file: missingSection, env: {} }), `${missingSection}:7: [ldap] bind_password:`, 'secrets.nope.bind_password', secrets);
  const neither = file('this is neither JSON\nnor INI\n', 'garbled.secrets');
  const garbled = file(`[secrets]\nsecrets_path: ${neither}\n[ldap]\nldap_host: h\nbase_dn: dc=x\nbind_dn: cn=svc\nbind_password: {secrets.ldap.pw}\n`);
  throwsConfig(() => loadConfig({ file: garbled, env: {} }), `${garbled}:7: [ldap] bind_password:`, 'secrets.ldap.pw', neither);
  const noFile = file('[ldap]\nldap_host: h\nbase_dn: dc=x\nbind_dn: cn=svc\nbind_password: {secrets.ldap.pw}\n');
  throwsConfig(() => loadConfig({ file: noFile, env: {} }), `${noFile}:5: [ldap] bind_password:`, 'secrets.ldap.pw');
});

test('secrets_path naming a file that does not exist: a warning while no option uses it (as Moonraker), an error once one does', () => {
  const gone = join(dir, 'gone.secrets');
  const unused = file(`[secrets]\nsecrets_path: ${gone}\n[authorization]\nforce_logins: true\n`);
  const { config, warnings } = loadConfig({ file: unused, env: {} });
  assert.equal(config.authorization.force_logins, true);
  assert.ok(warnings.some((w) => w.includes('[secrets] secrets_path') && w.includes(gone)), JSON.stringify(warnings));
  const used = file(`[secrets]\nsecrets_path: ${gone}\n[security]\nadmin_password: {secrets.grafana.admin_password}\n`);
  throwsConfig(() => loadConfig({ file: used, env: {} }), `${used}:4: [security] admin_password:`, 'secrets.grafana.admin_password', gone);
});

test('braces that are not a secrets reference stay as written, and environment values are taken literally', () => {
  const secrets = file(JSON.stringify({ grafana: { admin_password: 'from-secrets' } }), 'literal.json');
  const path = file(`[secrets]\nsecrets_path: ${secrets}\n[security]\nadmin_password: p{a}ss{secrets}\nadmin_email: {not_secrets.x.y}@example.com\n`);
  const { config } = loadConfig({ file: path, env: { GATEHOUSE_SECURITY__ADMIN_USER: '{secrets.grafana.admin_password}' } });
  assert.equal(config.security.admin_password, 'p{a}ss{secrets}');
  assert.equal(config.security.admin_email, '{not_secrets.x.y}@example.com');
  assert.equal(config.security.admin_user, '{secrets.grafana.admin_password}');
});

test('a served instance uses the resolved secret: the bootstrap admin logs in with the password from the secrets file', async () => {
  const s = await startFromConfig((dataDir) => {
    writeFileSync(join(dataDir, 'gatehouse.secrets'), JSON.stringify({ grafana: { admin_password: 's3cret-from-file' } }));
    return `[secrets]\nsecrets_path: ${join(dataDir, 'gatehouse.secrets')}\n[security]\nadmin_password: {secrets.grafana.admin_password}\n`;
  });
  try {
    const r = await s.req('POST', '/access/login', { body: { username: 'admin', password: 's3cret-from-file' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.result.username, 'admin');
  } finally { await s.stop(); }
});

test('the INI secrets file follows configparser: [DEFAULT] inherited, indented lines continue a value, % literal, a duplicate or a stray line makes the file invalid', async () => {
  const { parseSecretsIni } = await import('../../src/config/secrets.js');
  assert.deepEqual(parseSecretsIni('[DEFAULT]\nhost = h\n[a]\nKey: 50%\n  more\n\n  lines\n[b]\nhost = own\n'), { a: { host: 'h', key: '50%\nmore\n\nlines' }, b: { host: 'own' } });
  assert.equal(parseSecretsIni('[a]\nx = 1\n[a]\ny = 2\n'), undefined);
  assert.equal(parseSecretsIni('[a]\nx = 1\nX = 2\n'), undefined);
  assert.equal(parseSecretsIni('[a]\njust words\n'), undefined);
  assert.equal(parseSecretsIni('x = 1\n[a]\n'), undefined);
});

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, defaultConfig, loadConfig } from '../../src/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
/** Writes `text` to a fresh file and returns its path. */
function file(text: string, name = `c${n++}.conf`): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
/** Asserts loading throws a ConfigError whose message includes every string. */
function throwsConfig(fn: () => unknown, ...parts: string[]) {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof ConfigError, `not a ConfigError: ${e}`);
    for (const p of parts) assert.ok(e.message.includes(p), `${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    return true;
  });
}

const MOONRAKER_CONF = `# moonraker.conf for a Voron 2.4
[server]
host: 0.0.0.0
port: 7125
klippy_uds_address: ~/printer_data/comms/klippy.sock

[file_manager]
enable_object_processing: False

[authorization]
force_logins: True
cors_domains:
    *.lan
    *.local
    http://my-printer.example.com:*   # the reverse proxy
trusted_clients:
    10.0.0.0/8
    127.0.0.0/8
    169.254.0.0/16
    172.16.0.0/12
    192.168.1.42
    FE80::/10
    ::1/128
    voron.local
login_timeout: 30

[octoprint_compat]

[history]

[update_manager]
channel: dev
refresh_interval: 168

[update_manager mainsail]
type: web
channel: stable
repo: mainsail-crew/mainsail
path: ~/mainsail
`;

test('defaults', () => {
  const { config, warnings } = loadConfig({ env: {} });
  assert.deepEqual(config, defaultConfig());
  assert.deepEqual(warnings, []);
  assert.equal(config.gatehouse.port, 7125);
  assert.equal(config.security.admin_password, undefined, 'no well-known admin password');
  assert.equal(config.ldap, undefined);
});

test('a real-looking moonraker.conf loads with one warning listing the ignored sections', () => {
  const path = file(MOONRAKER_CONF, 'moonraker.conf');
  const { config, warnings } = loadConfig({ file: path, env: {} });
  assert.equal(config.authorization.force_logins, true);
  assert.equal(config.authorization.login_timeout, 30);
  assert.deepEqual(config.authorization.cors_domains, ['*.lan', '*.local', 'http://my-printer.example.com:*']);
  assert.deepEqual(config.authorization.trusted_clients,
    ['10.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.1.42', 'FE80::/10', '::1/128', 'voron.local']);
  assert.equal(config.gatehouse.port, 7125, '[server] port is not ours');
  assert.equal(config.gatehouse.host, '127.0.0.1', '[server] host is not ours');
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0],
    `${path}: ignoring sections gatehouse does not read: [server], [file_manager], [octoprint_compat], [history], [update_manager], [update_manager mainsail]`);
});

test('a grafana.ini loads; durations become seconds', () => {
  const path = file(`
[auth]
login_cookie_name = gh_session
login_maximum_inactive_lifetime_duration = 10m
login_maximum_lifetime_duration = 1h30m
token_rotation_interval_minutes = 5

[auth.basic]
enabled = false

[security]
admin_user = root
admin_password = s3cret#1   ; a '#' without a space before it stays in the value
cookie_samesite = Strict
;cookie_secure = true

[server]
http_port = 3000
`, 'grafana.ini');
  const { config, warnings } = loadConfig({ file: path, env: {} });
  assert.equal(config.auth.login_cookie_name, 'gh_session');
  assert.equal(config.auth.login_maximum_inactive_lifetime_duration, 600);
  assert.equal(config.auth.login_maximum_lifetime_duration, 5400);
  assert.equal(config.auth.token_rotation_interval_minutes, 5);
  assert.equal(config.auth_basic.enabled, false);
  assert.equal(config.security.admin_password, 's3cret#1');
  assert.equal(config.security.cookie_samesite, 'strict');
  assert.equal(config.security.cookie_secure, false);
  assert.equal(defaultConfig().auth.login_maximum_inactive_lifetime_duration, 7 * 86400);
  assert.equal(defaultConfig().auth.login_maximum_lifetime_duration, 30 * 86400);
  assert.deepEqual(warnings, [`${path}: ignoring sections gatehouse does not read: [server]`]);
});

test('[ldap]: Moonraker options, port default, group mappings', () => {
  const path = file(`[ldap]
ldap_host: ldap.example.com
ldap_secure: True
base_dn: DC=example,DC=com
bind_dn: CN=moonraker,OU=svc,DC=example,DC=com
bind_password: hunter2
user_filter: (&(objectClass=user)(sAMAccountName=USERNAME))
group_mappings:
    CN=admins,OU=groups,DC=example,DC=com => Admin
    CN=viewers,OU=groups,DC=example,DC=com => viewer @ 2
[authorization]
default_source: LDAP
`);
  const { config } = loadConfig({ file: path, env: {} });
  assert.equal(config.authorization.default_source, 'ldap');
  assert.equal(config.ldap?.ldap_port, 636);
  assert.equal(config.ldap?.membership_attribute, 'memberOf');
  assert.deepEqual(config.ldap?.group_mappings, [
    { group_dn: 'CN=admins,OU=groups,DC=example,DC=com', role: 'Admin', org_id: 1 },
    { group_dn: 'CN=viewers,OU=groups,DC=example,DC=com', role: 'Viewer', org_id: 2 },
  ]);
  assert.equal(loadConfig({ file: file('[ldap]\nldap_host: h\nbase_dn: dc=x\n'), env: {} }).config.ldap?.ldap_port, 389);
});

test('error: unknown option names file, line and option', () => {
  const path = file('[authorization]\nforce_logins: true\n\nforce_login: true\n');
  throwsConfig(() => loadConfig({ file: path, env: {} }), `${path}:4: [authorization] force_login: unknown option`);
});

test('error: bad boolean', () => {
  const path = file('[server]\nhost: x\n\n[authorization]\nforce_logins: maybe\n', 'moonraker.conf');
  throwsConfig(() => loadConfig({ file: path, env: {} }), `${path}:5: [authorization] force_logins: expected a boolean, got "maybe"`);
});

test('error: bad integer', () => {
  const path = file('[gatehouse]\nport = 70000\n[authorization]\nlogin_timeout: 0\n[limits]\nlockout_seconds = ten\n');
  throwsConfig(() => loadConfig({ file: path, env: {} }),
    `${path}:2: [gatehouse] port: expected an integer from 0 to 65535, got "70000"`,
    `${path}:4: [authorization] login_timeout: expected an integer from 1 to 36500, got "0"`,
    `${path}:6: [limits] lockout_seconds: expected an integer from 1 to 3153600000, got "ten"`);
});

test('issue 17 finding 8: durations beyond what a date or a timer holds are refused at input, naming the option', () => {
  const path = file('[authorization]\nlogin_timeout: 36501\n[limits]\nws_ping_interval_ms = 2147483648\nlockout_seconds = 9007199254740991\n[auth]\napi_key_max_seconds_to_live = 9007199254740991\nlogin_maximum_lifetime_duration = 200y\n');
  assert.throws(() => loadConfig({ file: path, env: {} }), (err: Error) => {
    for (const o of ['login_timeout', 'ws_ping_interval_ms', 'lockout_seconds', 'api_key_max_seconds_to_live', 'login_maximum_lifetime_duration']) {
      assert.match(err.message, new RegExp(`\\] ${o}: expected`), o);
    }
    return true;
  });
});

test('error: CIDR with host bits set, and a bad domain', () => {
  const path = file('[authorization]\ntrusted_clients:\n  192.168.1.0/24\n  192.168.1.1/24\n  not_a_host!\n');
  throwsConfig(() => loadConfig({ file: path, env: {} }),
    `${path}:2: [authorization] trusted_clients: invalid entry "192.168.1.1/24": the network has host bits set`,
    `invalid entry "not_a_host!"`);
});

test('error: wildcard in a CORS top-level domain, trailing slash', () => {
  const path = file('[authorization]\ncors_domains:\n  http://*.local\n  http://printer.*\n');
  throwsConfig(() => loadConfig({ file: path, env: {} }),
    `${path}:2: [authorization] cors_domains: invalid entry "http://printer.*": wildcards are not permitted in the top-level domain`);
  throwsConfig(() => loadConfig({ file: file('[authorization]\ncors_domains: http://a.lan/\n'), env: {} }), 'cors_domains: invalid entry "http://a.lan/"');
});

test('error: bind_password without bind_dn, and bind_dn without bind_password', () => {
  const path = file('[ldap]\nldap_host: h\nbase_dn: dc=x\nbind_password: hunter2\n');
  throwsConfig(() => loadConfig({ file: path, env: {} }), `${path}:4: [ldap] bind_password: is only allowed together with bind_dn`);
  const path2 = file('[ldap]\nldap_host: h\nbase_dn: dc=x\nbind_dn: cn=svc\n');
  throwsConfig(() => loadConfig({ file: path2, env: {} }), `${path2}:4: [ldap] bind_dn: bind_password is required when bind_dn is set`);
});

test('error: missing required [ldap] options point at the section header', () => {
  const path = file('[authorization]\n\n[ldap]\nldap_host: h\nuser_filter: (uid=NAME)\n');
  throwsConfig(() => loadConfig({ file: path, env: {} }),
    `${path}:3: [ldap] base_dn: is required`, `${path}:5: [ldap] user_filter: must contain the token USERNAME`);
});

test('error: default_source ldap without [ldap]; postgres without postgres_url', () => {
  const path = file('[authorization]\ndefault_source: ldap\n');
  throwsConfig(() => loadConfig({ file: path, env: {} }), `${path}:2: [authorization] default_source: is "ldap" but [ldap] is not configured`);
  throwsConfig(() => loadConfig({ env: { GATEHOUSE_GATEHOUSE__STORE: 'postgres' } }), 'GATEHOUSE_GATEHOUSE__STORE: [gatehouse] store: "postgres" needs postgres_url');
});

test('error: duplicate option and syntax error carry file:line', () => {
  const dup = file('[security]\nadmin_user = a\nadmin_user = b\n');
  throwsConfig(() => loadConfig({ file: dup, env: {} }), `${dup}:3: [security] admin_user: duplicate option`);
  const bad = file('[security]\nadmin_user = a\njust words\n');
  throwsConfig(() => loadConfig({ file: bad, env: {} }), `${bad}:3: syntax error`);
});

test('error: a missing file is named', () => {
  const path = join(dir, 'nope.conf');
  throwsConfig(() => loadConfig({ file: path, env: {} }), `config file not found: ${path}`);
});

test('environment: GATEHOUSE_<SECTION>__<OPTION>', () => {
  const { config } = loadConfig({
    env: {
      GATEHOUSE_AUTH_BASIC__ENABLED: 'false',
      GATEHOUSE_AUTHORIZATION__FORCE_LOGINS: 'true',
      GATEHOUSE_AUTHORIZATION__TRUSTED_CLIENTS: '10.0.0.0/8, printer.local',
      GATEHOUSE_SERVICE_ACCOUNTS__TOKEN_EXPIRATION_DAY_LIMIT: '30',
      GATEHOUSE_CONFIG: '/etc/gatehouse.conf', // not an option: no `__`
      PATH: '/usr/bin',
    },
  });
  assert.equal(config.auth_basic.enabled, false);
  assert.equal(config.authorization.force_logins, true);
  assert.deepEqual(config.authorization.trusted_clients, ['10.0.0.0/8', 'printer.local']);
  assert.equal(config.service_accounts.token_expiration_day_limit, 30);
});

test('environment: Grafana GF_<SECTION>_<KEY>; other GF_ variables are ignored', () => {
  const { config } = loadConfig({
    env: {
      GF_SECURITY_ADMIN_PASSWORD: 'from-env',
      GF_AUTH_BASIC_ENABLED: 'false',
      GF_AUTH_LOGIN_MAXIMUM_INACTIVE_LIFETIME_DURATION: '1h',
      GF_SERVER_HTTP_PORT: '3000',
      GF_PATHS_DATA: '/var/lib/grafana',
    },
  });
  assert.equal(config.security.admin_password, 'from-env');
  assert.equal(config.auth_basic.enabled, false);
  assert.equal(config.auth.login_maximum_inactive_lifetime_duration, 3600);
});

test('environment errors name the variable', () => {
  throwsConfig(() => loadConfig({ env: { GATEHOUSE_AUTHORIZATION__FORCE_LOGINS: 'maybe' } }),
    'GATEHOUSE_AUTHORIZATION__FORCE_LOGINS: [authorization] force_logins: expected a boolean, got "maybe"');
  throwsConfig(() => loadConfig({ env: { GF_AUTH_BASIC_ENABLED: 'sometimes' } }), 'GF_AUTH_BASIC_ENABLED: [auth.basic] enabled: expected a boolean');
  throwsConfig(() => loadConfig({ env: { GATEHOUSE_AUTHORIZATION__FORCE_LOGIN: 'true' } }),
    'GATEHOUSE_AUTHORIZATION__FORCE_LOGIN: [authorization] force_login: unknown option');
  throwsConfig(() => loadConfig({ env: { GATEHOUSE_SERVER__HOST: '0.0.0.0' } }), 'GATEHOUSE_SERVER__HOST: unknown section "SERVER"');
});

test('precedence: defaults < file < GF_ env < GATEHOUSE_ env < overrides', () => {
  const path = file('[gatehouse]\nhost: 10.0.0.1\nport: 8000\ndata_dir: /file\nlog_level: debug\n[security]\nadmin_user = file\nadmin_email = file@x\n');
  const { config } = loadConfig({
    file: path,
    env: {
      GATEHOUSE_GATEHOUSE__PORT: '9000',
      GATEHOUSE_GATEHOUSE__DATA_DIR: '/env',
      GF_SECURITY_ADMIN_USER: 'gf',
      GF_SECURITY_ADMIN_EMAIL: 'gf@x',
      GATEHOUSE_SECURITY__ADMIN_EMAIL: 'gatehouse@x',
    },
    overrides: { port: 9100 },
  });
  assert.equal(config.gatehouse.host, '10.0.0.1', 'file over default');
  assert.equal(config.gatehouse.log_level, 'debug', 'file over default');
  assert.equal(config.gatehouse.data_dir, '/env', 'env over file');
  assert.equal(config.gatehouse.port, 9100, 'override over env');
  assert.equal(config.security.admin_user, 'gf', 'GF_ over file');
  assert.equal(config.security.admin_email, 'gatehouse@x', 'GATEHOUSE_ over GF_');
  assert.equal(config.gatehouse.max_body_bytes, 65536, 'default');

  const flags = loadConfig({ file: path, env: {}, overrides: { host: '::', port: 0, dataDir: '/flag' } }).config.gatehouse;
  assert.deepEqual([flags.host, flags.port, flags.data_dir], ['::', 0, '/flag']);
});

test('an empty value means the default', () => {
  const path = file('[security]\nadmin_password =\nadmin_user =\n');
  const { config } = loadConfig({ file: path, env: {} });
  assert.equal(config.security.admin_password, undefined);
  assert.equal(config.security.admin_user, 'admin');
});

// Shared by the LDAP suites: gatehouse options pointing at a test slapd, and
// Moonraker logins over HTTP.
import type { Config } from '../../src/config/index.js';
import type { Overrides, Running } from '../helpers/server.js';
import { BASE_DN, READER_DN, READER_PASSWORD, type Slapd } from './slapd.js';

/** [ldap] options as a config file gives them (typed values). */
export type LdapConfig = Partial<Record<keyof NonNullable<Config['ldap']>, unknown>>;

export function ldapOptions(s: Slapd, over: LdapConfig = {}): LdapConfig {
  return { ldap_host: s.host, ldap_port: s.port, base_dn: BASE_DN, bind_dn: READER_DN, bind_password: READER_PASSWORD, timeout_ms: 3000, ...over };
}

/** Options for LDAP tests: the lockouts are off so that refused logins can be repeated at will. */
export function withLdap(s: Slapd, over: LdapConfig = {}, more: Overrides = {}): Overrides {
  return {
    ...more,
    ldap: ldapOptions(s, over) as Overrides['ldap'],
    limits: { login_attempts_per_user: 0, login_attempts_per_ip: 0, ...more.limits },
  };
}

/** POST /access/login; source null leaves it out (the default source applies). */
export function login(g: Running, username: string, password: string, source: string | null = 'ldap') {
  return g.req('POST', '/access/login', { body: { username, password, ...(source === null ? {} : { source }) } });
}

/** Creates a local (source "moonraker") account through POST /access/user. */
export async function mkLocal(g: Running, username: string, password: string) {
  const r = await g.req('POST', '/access/user', { headers: { 'x-api-key': g.apiKey() }, body: { username, password } });
  if (r.status !== 200) throw new Error(`creating ${username}: ${r.status} ${r.text}`);
}

/** The log lines of the server so far, as one string. */
export const logText = (g: Running) => g.logs.join('');

// Shared by the LDAP suites: gatehouse options pointing at a test slapd, and
// Moonraker logins over HTTP.
import type { LdapOptions } from '../../src/core/user-sources/ldap.js';
import type { GatehouseOptions } from '../../src/server/gatehouse.js';
import type { DeepPartial, Running } from '../helpers/server.js';
import { BASE_DN, READER_DN, READER_PASSWORD, type Slapd } from './slapd.js';

export function ldapOptions(s: Slapd, over: Partial<LdapOptions> = {}): LdapOptions {
  return {
    ldapHost: s.host,
    ldapPort: s.port,
    baseDn: BASE_DN,
    bindDn: READER_DN,
    bindPassword: READER_PASSWORD,
    timeoutMs: 3000,
    ...over,
  };
}

/** Gatehouse options for LDAP tests: the lockouts are off so that refused logins can be repeated at will. */
export function withLdap(s: Slapd, over: Partial<LdapOptions> = {}, more: DeepPartial<GatehouseOptions> = {}): DeepPartial<GatehouseOptions> {
  return {
    ...more,
    ldap: ldapOptions(s, over),
    core: { loginAttemptsPerUser: 0, loginAttemptsPerIp: 0, ...(more.core ?? {}) },
  } as DeepPartial<GatehouseOptions>;
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

// LDAP users, as Moonraker's [ldap] component authenticates them: bind with
// bind_dn/bind_password (or anonymously), search base_dn for the user, bind as
// the DN found with the password given, and require group_dn membership when
// set. On top, gatehouse maps LDAP groups to Grafana org roles (as Grafana's
// ldap.toml group_mappings do) and can mark a group's members server admins.
//
// Every attempt uses a fresh client, so a directory that went away and came
// back needs no restart, and the whole attempt (connect, TLS, binds, search)
// is bounded by timeout_ms: at the deadline every socket of the attempt is
// destroyed and the login fails with a 503 naming LDAP, never a 500.
import { readFileSync } from 'node:fs';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { Client, Filter, FilterParser, ResultCodeError, type Entry } from 'ldapts';
import { Errors, GatehouseError } from '../errors.js';
import type { UserRecord } from '../../store/types.js';
import type { ExternalProfile, UserSource } from './types.js';

export type LdapRole = 'Viewer' | 'Editor' | 'Admin';
const ROLES: readonly LdapRole[] = ['Viewer', 'Editor', 'Admin'];

/** One `group_mappings` line: members of groupDn get role in orgId (default 1). groupDn `*` matches every user. */
export interface LdapGroupMapping { groupDn: string; role: LdapRole; orgId?: number }

/** Moonraker's [ldap] options (camelCased), plus gatehouse's extras. */
export interface LdapOptions {
  ldapHost: string;
  /** Default: 636 with ldapSecure, else 389. */
  ldapPort?: number;
  /** ldaps:// (TLS from the first byte). */
  ldapSecure?: boolean;
  baseDn: string;
  /** Search account; anonymous search when absent. Requires bindPassword. */
  bindDn?: string;
  bindPassword?: string;
  /** Members only, when set (checked on membershipAttribute of the user entry). */
  groupDn?: string;
  /** Looks users up by sAMAccountName instead of uid. */
  isActiveDirectory?: boolean;
  /** A filter containing the token USERNAME, replaced by the escaped username. Overrides isActiveDirectory. */
  userFilter?: string;
  /** memberOf (default) or isMemberOf. */
  membershipAttribute?: string;
  /** Group DN comparisons are case sensitive (default true, as Moonraker). */
  checkDnCase?: boolean;
  // ---- gatehouse extras ----
  /** StartTLS on the ldap:// connection before anything else. Not with ldapSecure. */
  startTls?: boolean;
  /** PEM file of the CA(s) trusted for the directory's certificate; default: the system's CAs. */
  caFile?: string;
  /** Bound on one whole login attempt (connect, TLS, binds, search). Default 5000. */
  timeoutMs?: number;
  /** Group → org role, first match per org wins (Grafana's rule). `"<dn> => <role>[ @orgId]"` strings are accepted too. */
  groupMappings?: (LdapGroupMapping | string)[];
  /** Members of this group are Grafana server admins (and others are not). */
  grafanaAdminGroup?: string;
}

export interface LdapLog {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
}

const DEFAULT_TIMEOUT_MS = 5000;
const MEMBERSHIP_ATTRIBUTES = ['memberOf', 'isMemberOf'];
const MAPPING = /^(.+?)\s*=>\s*(\S+)(?:\s*@\s*(\d+))?\s*$/;
/** Moonraker's message for every refused LDAP login: which of user, password or group failed is logged, not told. */
const DENIED_MESSAGE = 'Unauthorized';

/** Parses `<group dn> => <Viewer|Editor|Admin>[ @orgId]`. */
export function parseGroupMapping(s: string): LdapGroupMapping {
  const m = MAPPING.exec(s.trim());
  const role = m && ROLES.find((r) => r.toLowerCase() === m[2]!.toLowerCase());
  if (!m || !role) throw new Error(`[ldap] group_mappings: expected "<group dn> => <${ROLES.join('|')}>[ @orgId]", got "${s}"`);
  return { groupDn: m[1]!, role, orgId: m[3] === undefined ? 1 : Number(m[3]) };
}

/** Why a login was refused (logged and kept on the error's detail, never shown to the client). */
type DenyReason = 'empty_password' | 'empty_username' | 'not_found' | 'ambiguous' | 'bad_password' | 'not_in_group' | 'no_mapped_group';

class Timeout extends Error {}

export class LdapSource implements UserSource {
  readonly name = 'ldap';
  private readonly url: string;
  private readonly port: number;
  private readonly timeoutMs: number;
  private readonly filterTemplate: string;
  private readonly membershipAttribute: string;
  private readonly checkDnCase: boolean;
  private readonly mappings: Required<LdapGroupMapping>[];
  private readonly ca: Buffer | undefined;

  constructor(readonly opts: LdapOptions, private log?: LdapLog) {
    if (!opts.ldapHost) throw new Error('[ldap] ldap_host is required');
    if (!opts.baseDn) throw new Error('[ldap] base_dn is required');
    if (opts.bindDn !== undefined && opts.bindPassword === undefined) throw new Error("[ldap] Option 'bind_password' is required when 'bind_dn' is provided");
    if (opts.bindDn !== undefined && opts.bindPassword === '') throw new Error("[ldap] Option 'bind_password' must not be empty (a DN with an empty password is an unauthenticated bind)");
    if (opts.bindDn === undefined && opts.bindPassword !== undefined) throw new Error("[ldap] Option 'bind_password' is only allowed together with 'bind_dn'");
    if (opts.ldapSecure && opts.startTls) throw new Error('[ldap] start_tls cannot be combined with ldap_secure (ldaps:// is already TLS)');
    this.membershipAttribute = opts.membershipAttribute ?? 'memberOf';
    if (!MEMBERSHIP_ATTRIBUTES.includes(this.membershipAttribute)) throw new Error(`[ldap] membership_attribute must be one of ${MEMBERSHIP_ATTRIBUTES.join(', ')}`);
    this.checkDnCase = opts.checkDnCase ?? true;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(this.timeoutMs > 0)) throw new Error('[ldap] timeout_ms must be positive');

    // Moonraker's filters: objectClass=Person with uid, or sAMAccountName in AD mode; user_filter overrides both.
    this.filterTemplate = opts.userFilter ?? `(&(objectClass=Person)(${opts.isActiveDirectory ? 'sAMAccountName' : 'uid'}=USERNAME))`;
    if (!this.filterTemplate.includes('USERNAME')) throw new Error("[ldap] Option 'user_filter' is missing required token USERNAME");
    try {
      FilterParser.parseString(this.filterTemplate.replaceAll('USERNAME', 'x'));
    } catch (err) {
      throw new Error(`[ldap] user_filter is not a valid LDAP filter: ${(err as Error).message}`);
    }

    this.mappings = (opts.groupMappings ?? []).map((m) => (typeof m === 'string' ? parseGroupMapping(m) : m)).map((m) => {
      if (!ROLES.includes(m.role)) throw new Error(`[ldap] group_mappings: unknown role ${m.role}`);
      const orgId = m.orgId ?? 1;
      if (!Number.isInteger(orgId) || orgId < 1) throw new Error(`[ldap] group_mappings: bad org id ${orgId}`);
      return { groupDn: m.groupDn, role: m.role, orgId };
    });

    if (opts.caFile !== undefined) {
      try {
        this.ca = readFileSync(opts.caFile);
      } catch (err) {
        throw new Error(`[ldap] ca_file ${opts.caFile} cannot be read: ${(err as Error).message}`);
      }
    }

    this.port = opts.ldapPort ?? (opts.ldapSecure ? 636 : 389);
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535) throw new Error(`[ldap] ldap_port ${this.port} is not a TCP port`);
    const host = isIP(opts.ldapHost) === 6 ? `[${opts.ldapHost}]` : opts.ldapHost;
    this.url = `${opts.ldapSecure ? 'ldaps' : 'ldap'}://${host}:${this.port}`;
    let parsed: URL | undefined;
    try { parsed = new URL(this.url); } catch { /* below */ }
    if (!parsed || parsed.port !== String(this.port) || (parsed.pathname !== '/' && parsed.pathname !== '')) throw new Error(`[ldap] ldap_host ${opts.ldapHost} is not a host name or address`);
  }

  /** The directory's address, for messages and logs. */
  get address(): string { return this.url; }

  /** The search filter for a username: every filter metacharacter of the username escaped (RFC 4515). */
  filterFor(username: string): string {
    const escaped = Filter.escape(username);
    // a function, not a string: a replacement string would expand $` $' $& from the username
    return this.filterTemplate.replaceAll('USERNAME', () => escaped);
  }

  async authenticate(username: string, password: string, _existing: UserRecord | undefined): Promise<ExternalProfile> {
    // A simple bind with a DN and an empty password is an "unauthenticated bind",
    // which many directories answer with success. It must never count.
    if (!password) throw this.deny(username, 'empty_password');
    if (!username) throw this.deny(username, 'empty_username');
    return this.attempt((client) => this.run(client, username, password));
  }

  private async run(client: Client, username: string, password: string): Promise<ExternalProfile> {
    if (this.opts.startTls) {
      try {
        await client.startTLS(this.tlsOptions());
      } catch (err) {
        if (err instanceof ResultCodeError) throw this.unavailable(`the directory refused StartTLS (${err.message})`, err);
        throw err;
      }
    }
    if (this.opts.bindDn !== undefined) {
      try {
        await client.bind(this.opts.bindDn, this.opts.bindPassword);
      } catch (err) {
        if (err instanceof ResultCodeError) throw this.unavailable('the directory refused the bind_dn credentials', err);
        throw err;
      }
    }

    let entries: Entry[];
    try {
      ({ searchEntries: entries } = await client.search(this.opts.baseDn, {
        scope: 'sub',
        filter: this.filterFor(username),
        attributes: [this.membershipAttribute, 'mail', 'displayName', 'cn'],
        // two are enough to tell "exactly one" from "ambiguous"
        sizeLimit: 2,
        timeLimit: Math.max(1, Math.ceil(this.timeoutMs / 1000)),
      }));
    } catch (err) {
      if (err instanceof ResultCodeError) {
        if (err.code === 32) throw this.unavailable('base_dn does not exist in the directory', err);
        throw this.unavailable('the user search failed', err);
      }
      throw err;
    }
    if (entries.length === 0) throw this.deny(username, 'not_found');
    if (entries.length > 1) throw this.deny(username, 'ambiguous');
    const entry = entries[0]!;

    try {
      await client.bind(entry.dn, password);
    } catch (err) {
      // invalidCredentials, or a policy refusal (locked, expired, unwilling): no login either way
      if (err instanceof ResultCodeError) throw this.deny(username, 'bad_password', { dn: entry.dn, result: err.message });
      throw err;
    }

    const groups = values(entry, this.membershipAttribute);
    const isMember = (dn: string) => {
      if (dn === '*') return true;
      const want = this.checkDnCase ? dn : dn.toLowerCase();
      return groups.some((g) => (this.checkDnCase ? g : g.toLowerCase()) === want);
    };
    if (this.opts.groupDn !== undefined && !isMember(this.opts.groupDn)) throw this.deny(username, 'not_in_group', { dn: entry.dn });

    const isGrafanaAdmin = this.opts.grafanaAdminGroup === undefined ? undefined : isMember(this.opts.grafanaAdminGroup);
    let orgRoles: ExternalProfile['orgRoles'];
    if (this.mappings.length) {
      orgRoles = [];
      for (const m of this.mappings) {
        if (!orgRoles.some((r) => r.orgId === m.orgId) && isMember(m.groupDn)) orgRoles.push({ orgId: m.orgId, role: m.role });
      }
      // Grafana: with group mappings configured, a user matching none of them cannot log in.
      if (orgRoles.length === 0 && !isGrafanaAdmin) throw this.deny(username, 'no_mapped_group', { dn: entry.dn });
    }

    this.log?.info({ username, dn: entry.dn }, `LDAP User ${username} login successful`);
    const name = values(entry, 'displayName')[0] ?? values(entry, 'cn')[0];
    const email = values(entry, 'mail')[0];
    return {
      ...(orgRoles ? { orgRoles } : {}),
      ...(isGrafanaAdmin === undefined ? {} : { isGrafanaAdmin }),
      ...(email ? { email } : {}),
      ...(name ? { name } : {}),
    };
  }

  private tlsOptions(): ConnectionOptions {
    const host = this.opts.ldapHost;
    return {
      minVersion: 'TLSv1.2',
      ...(this.ca ? { ca: [this.ca] } : {}),
      // the name the certificate is checked against (StartTLS has no host of its own)
      host,
      ...(isIP(host) ? {} : { servername: host }),
    };
  }

  /**
   * Runs one login attempt on a fresh client, within timeoutMs overall. The
   * sockets are created here (ldapts' connection factories) so that the
   * deadline can destroy them, whatever step the attempt is stuck in.
   */
  private async attempt<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const sockets = new Set<Socket>();
    const track = <S extends Socket>(s: S): S => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      return s;
    };
    const client = new Client({
      url: this.url,
      connectTimeout: this.timeoutMs,
      timeout: this.timeoutMs,
      ...(this.opts.ldapSecure ? { tlsOptions: this.tlsOptions() } : {}),
      createConnection: ((...a: Parameters<typeof netConnect>) => track(netConnect(...a))) as typeof netConnect,
      createSecureConnection: ((...a: Parameters<typeof tlsConnect>) => track(tlsConnect(...a))) as typeof tlsConnect,
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Timeout()), this.timeoutMs);
    });
    try {
      const result = await Promise.race([work(client), deadline]);
      await Promise.race([client.unbind().catch(() => {}), deadline.catch(() => {})]);
      return result;
    } catch (err) {
      if (err instanceof GatehouseError) throw err;
      throw this.failure(err);
    } finally {
      clearTimeout(timer);
      for (const s of sockets) s.destroy();
    }
  }

  /** A directory that cannot be reached, answers too slowly, or whose TLS certificate is not trusted: 503. */
  private failure(err: unknown): GatehouseError {
    if (err instanceof Timeout) return this.unavailable(`the directory did not answer within ${this.timeoutMs} ms`, err);
    const e = err as { code?: unknown; message?: string };
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && /CERT|SIGNATURE|ISSUER|ERR_TLS|ERR_SSL|SELF_SIGNED/.test(code)) {
      return this.unavailable(`the directory's TLS certificate was refused (${code})`, err);
    }
    if (/timed? ?out/i.test(e.message ?? '')) return this.unavailable(`the directory did not answer within ${this.timeoutMs} ms`, err);
    if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return this.unavailable('the directory is unreachable', err);
    }
    return this.unavailable('the connection to the directory failed', err);
  }

  private unavailable(why: string, cause: unknown): GatehouseError {
    const c = cause as { code?: unknown; message?: string } | undefined;
    this.log?.warn({ ldap: this.url, cause: c?.message ?? String(cause), code: c?.code }, `LDAP authentication failed: ${why}`);
    return Errors.ldapError(why);
  }

  private deny(username: string, reason: DenyReason, more: Record<string, unknown> = {}): GatehouseError {
    const messages: Record<DenyReason, string> = {
      empty_password: `LDAP login refused for '${username}': empty password`,
      empty_username: 'LDAP login refused: empty username',
      not_found: `LDAP User '${username}' Not Found`,
      ambiguous: `LDAP search for '${username}' matched more than one entry; refusing`,
      bad_password: 'Invalid LDAP Username or Password',
      not_in_group: `User '${username}' is not a member of configured group_dn.`,
      no_mapped_group: `User '${username}' does not belong to any of the LDAP groups in group_mappings.`,
    };
    this.log?.[reason === 'ambiguous' ? 'warn' : 'info']({ username, reason, ...more }, messages[reason]);
    const err = Errors.ldapDenied(DENIED_MESSAGE);
    return new GatehouseError(err.code, err.message, err.status, { reason });
  }
}

/** An attribute's values as strings, whatever the case of its name in the entry. */
function values(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  const v = key === undefined ? undefined : entry[key];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x)));
}

// LDAP users, as Moonraker's [ldap] component authenticates them: bind with
// bind_dn/bind_password (or anonymously), search base_dn for the user, bind as
// the DN found with the password given, and require group_dn membership when
// set. On top, gatehouse maps LDAP groups to Grafana org roles (as Grafana's
// ldap.toml group_mappings do) and can mark a group's members server admins.
// The options are [ldap]'s, checked by the config schema.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Filter, FilterParser, ResultCodeError, type Client, type Entry } from 'ldapts';
import type { Config } from '../../../config/schema.js';
import { CoreError, fail } from '../../errors.js';
import type { User } from '../../model.js';
import type { ExternalProfile, SourceLog, UserSource } from '../types.js';
import { attempt, tlsOptions, unavailable, type Directory } from './connection.js';
import { memberOf, profileOf, values } from './profile.js';

type LdapConfig = NonNullable<Config['ldap']>;

/** Why a login was refused (logged and kept on the error's params, never shown to the client). */
type DenyReason = 'empty_password' | 'empty_username' | 'not_found' | 'ambiguous' | 'bad_password' | 'not_in_group' | 'no_mapped_group';

export class LdapSource implements UserSource {
  readonly name = 'ldap';
  private readonly dir: Directory;
  private readonly filterTemplate: string;
  /** The attribute that holds an entry's login name (uid, sAMAccountName, or the one user_filter matches USERNAME on). */
  private readonly nameAttribute: string | undefined;

  constructor(readonly c: LdapConfig, private log?: SourceLog) {
    // Moonraker's filters: objectClass=Person with uid, or sAMAccountName in AD mode; user_filter overrides both.
    this.filterTemplate = c.user_filter ?? `(&(objectClass=Person)(${c.is_active_directory ? 'sAMAccountName' : 'uid'}=USERNAME))`;
    this.nameAttribute = /\(([\w-]+)=USERNAME\)/.exec(this.filterTemplate)?.[1];
    try {
      FilterParser.parseString(this.filterTemplate.replaceAll('USERNAME', 'x'));
    } catch (err) {
      throw new Error(`[ldap] user_filter is not a valid LDAP filter: ${(err as Error).message}`);
    }
    let ca: Buffer | undefined;
    if (c.ca_file !== undefined) {
      try {
        ca = readFileSync(c.ca_file);
      } catch (err) {
        throw new Error(`[ldap] ca_file ${c.ca_file} cannot be read: ${(err as Error).message}`);
      }
    }
    const host = isIP(c.ldap_host) === 6 ? `[${c.ldap_host}]` : c.ldap_host;
    const url = `${c.ldap_secure ? 'ldaps' : 'ldap'}://${host}:${c.ldap_port}`;
    let parsed: URL | undefined;
    try { parsed = new URL(url); } catch { /* below */ }
    if (!parsed || parsed.port !== String(c.ldap_port) || (parsed.pathname !== '/' && parsed.pathname !== '')) throw new Error(`[ldap] ldap_host ${c.ldap_host} is not a host name or address`);
    this.dir = { url, host: c.ldap_host, secure: c.ldap_secure, ca, timeoutMs: c.timeout_ms, log };
  }

  /** The directory's address, for messages and logs. */
  get address(): string { return this.dir.url; }

  /** The search filter for a username: every filter metacharacter of the username escaped (RFC 4515). */
  filterFor(username: string): string {
    const escaped = Filter.escape(username);
    // a function, not a string: a replacement string would expand $` $' $& from the username
    return this.filterTemplate.replaceAll('USERNAME', () => escaped);
  }

  async authenticate(username: string, password: string, _existing: User | undefined): Promise<ExternalProfile> {
    // A simple bind with a DN and an empty password is an "unauthenticated bind",
    // which many directories answer with success. It must never count.
    if (!password) throw this.deny(username, 'empty_password');
    if (!username) throw this.deny(username, 'empty_username');
    return attempt(this.dir, (client) => this.run(client, username, password));
  }

  private async run(client: Client, username: string, password: string): Promise<ExternalProfile> {
    await this.step(() => (this.c.start_tls ? client.startTLS(tlsOptions(this.dir)) : undefined), (m) => `the directory refused StartTLS (${m})`);
    await this.step(() => (this.c.bind_dn !== undefined ? client.bind(this.c.bind_dn, this.c.bind_password) : undefined), () => 'the directory refused the bind_dn credentials');
    const entry = await this.find(client, username);
    try {
      await client.bind(entry.dn, password);
    } catch (err) {
      // invalidCredentials, or a policy refusal (locked, expired, unwilling): no login either way
      if (err instanceof ResultCodeError) throw this.deny(username, 'bad_password', { dn: entry.dn, result: err.message });
      throw err;
    }
    const isMember = memberOf(this.c, entry);
    if (this.c.group_dn !== undefined && !isMember(this.c.group_dn)) throw this.deny(username, 'not_in_group', { dn: entry.dn });
    const profile = profileOf(this.c, entry, isMember);
    if (profile === 'no_mapped_group') throw this.deny(username, 'no_mapped_group', { dn: entry.dn });
    this.log?.info({ username, dn: entry.dn }, `LDAP User ${username} login successful`);
    return { ...profile, username: this.canonicalName(entry, username) };
  }

  /**
   * The entry's own name (issue 17 finding 5): the directory matched the typed
   * name case-insensitively and ignoring spaces, so every spelling maps to the
   * value as stored (of several values, the one the typed name matches).
   */
  private canonicalName(entry: Entry, typed: string): string {
    const fold = (s: string) => s.trim().toLowerCase();
    const stored = this.nameAttribute === undefined ? [] : values(entry, this.nameAttribute).map((v) => v.trim()).filter(Boolean);
    return stored.find((v) => fold(v) === fold(typed)) ?? stored[0] ?? typed.trim();
  }

  /** A protocol step whose refusal by the directory means the directory is unusable (503). */
  private async step(work: () => Promise<unknown> | undefined, why: (message: string) => string): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (err instanceof ResultCodeError) throw unavailable(this.dir, why(err.message), err);
      throw err;
    }
  }

  /** The one entry the user filter matches. */
  private async find(client: Client, username: string): Promise<Entry> {
    let entries: Entry[];
    try {
      ({ searchEntries: entries } = await client.search(this.c.base_dn, {
        scope: 'sub',
        filter: this.filterFor(username),
        attributes: [this.c.membership_attribute, 'mail', 'displayName', 'cn', ...(this.nameAttribute ? [this.nameAttribute] : [])],
        sizeLimit: 2, // two are enough to tell "exactly one" from "ambiguous"
        timeLimit: Math.max(1, Math.ceil(this.dir.timeoutMs / 1000)),
      }));
    } catch (err) {
      if (err instanceof ResultCodeError) throw unavailable(this.dir, err.code === 32 ? 'base_dn does not exist in the directory' : 'the user search failed', err);
      throw err;
    }
    if (entries.length === 0) throw this.deny(username, 'not_found');
    if (entries.length > 1) throw this.deny(username, 'ambiguous');
    return entries[0]!;
  }

  private deny(username: string, reason: DenyReason, more: Record<string, unknown> = {}): CoreError {
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
    return fail('LDAP_DENIED', { reason });
  }
}

// The Grafana side of the core: orgs, API keys, service accounts, browser
// sessions, brute-force protection and the bootstrap admin, over the shared
// Core (same accounts, same store, same audit log). No HTTP here: the Grafana
// face (src/faces/grafana) translates requests into these calls.
import type { Core } from '../core.js';
import { BOOTSTRAP_SETTING, DEFAULT_ORG_ID } from '../core.js';
import type { Identity } from '../identity.js';
import type { ApiKeyRecord, Role, UserRecord, WebSession } from '../../store/types.js';
import { randomAlnum } from '../crypto.js';
import { hashPassword, MAX_PASSWORD_BYTES } from '../passwords.js';
import { validateUsername } from '../validation.js';
import { ApiKeyService } from './api-keys.js';
import { BruteForceGuard } from './brute-force.js';
import { CredentialCache } from './credential-cache.js';
import { GrafanaErrors as G } from './errors.js';
import { DEFAULT_GRAFANA_OPTIONS, type GrafanaOptions } from './options.js';
import { OrgService } from './orgs.js';
import { ServiceAccountService } from './service-accounts.js';
import { WebSessionService } from './web-sessions.js';
import type { MaybePromise } from '../maybe-promise.js';

/** Who a Grafana request acts as, in which org, with which role. */
export interface GrafanaIdentity extends Identity {
  /** The org the request acts in; -1 ("Org missing") when a user is not a member of the org asked for. */
  orgId: number;
  orgRole: Role | null;
  isGrafanaAdmin: boolean;
  apiKeyId?: number;
  webSession?: WebSession;
}

export interface BootstrapResult {
  login: string;
  /** Present only when gatehouse generated it: show it to the operator once. */
  generatedPassword?: string;
  created: boolean;
}

/**
 * Every Grafana identity is built here, with the same fields in the same order:
 * one object shape, so the per-request code that reads it stays monomorphic.
 */
function grafanaIdentity(
  kind: GrafanaIdentity['kind'], username: string, source: string, createdOn: number, userId: number | null, via: string,
  orgId: number, orgRole: Role | null, isGrafanaAdmin: boolean, apiKeyId: number | undefined, webSession: WebSession | undefined,
): GrafanaIdentity {
  return { kind, username, source, createdOn, userId, via, orgId, orgRole, isGrafanaAdmin, apiKeyId, webSession };
}

const ORG_MISSING = -1;

export class GrafanaCore {
  readonly opts: GrafanaOptions;
  readonly orgs: OrgService;
  readonly keys: ApiKeyService;
  readonly serviceAccounts: ServiceAccountService;
  readonly sessions: WebSessionService;
  readonly bruteForce: BruteForceGuard;
  readonly credentials = new CredentialCache();
  /** Last time each account was seen on the Grafana face (memory only; for lastSeenAt). */
  readonly lastSeen = new Map<number, number>();
  bootstrap: BootstrapResult | null = null;
  private listeners: [string, (...a: any[]) => void][] = [];
  private loaded = false;
  private readonly removeIndex: () => void;

  constructor(readonly core: Core, opts: Partial<GrafanaOptions> = {}) {
    this.opts = { ...DEFAULT_GRAFANA_OPTIONS, ...opts };
    this.orgs = new OrgService(core);
    this.keys = new ApiKeyService(core, this.opts);
    this.sessions = new WebSessionService(core, this.opts);
    this.serviceAccounts = new ServiceAccountService(core, this.orgs, this.keys);
    this.bruteForce = new BruteForceGuard(core, this.opts);
    // Loaded by core.start() beside the core's own indexes when made before it, and reloaded with them.
    this.removeIndex = core.addIndex(() => this.load());
  }

  async load(): Promise<void> {
    this.credentials.clear();
    await Promise.all([this.orgs.load(), this.keys.load(), this.sessions.load()]);
    this.loaded = true;
  }

  /** Follows the core's events and creates the bootstrap admin on first start; loads the indexes unless core.start() has. */
  async start(o: { timers?: boolean; bootstrap?: boolean } = {}): Promise<void> {
    if (!this.loaded) await this.load();
    const on = <K extends string>(event: K, fn: (...a: any[]) => void) => {
      this.core.events.on(event as any, fn);
      this.listeners.push([event, fn]);
    };
    const log = (err: unknown) => this.core.opts.log?.error({ err }, 'grafana index update failed');
    on('user_created', ({ username }: { username: string }) => {
      const u = this.core.users.get(username);
      if (u) void this.orgs.refreshUser(u.id).catch(log);
    });
    // LDAP group mappings re-applied at a login changed this account's org roles
    on('user_synced', ({ userId }: { userId: number }) => void this.orgs.refreshUser(userId).catch(log));
    on('user_deleted', ({ userId }: { userId: number }) => this.forgetUser(userId));
    on('password_changed', ({ userId }: { userId: number }) => {
      // The core has revoked the browser sessions in the store already: only the index is left.
      this.credentials.invalidateUser(userId);
      this.sessions.forgetUser(userId);
    });
    on('sessions_revoked', ({ userId }: { userId: number }) => {
      if (!this.core.users.getById(userId)) this.forgetUser(userId);
    });
    if (o.timers !== false) {
      this.keys.start();
      this.sessions.start();
    }
    if (o.bootstrap !== false) this.bootstrap = await this.bootstrapAdmin();
  }

  async stop(): Promise<void> {
    this.removeIndex();
    for (const [event, fn] of this.listeners) this.core.events.off(event as any, fn);
    this.listeners = [];
    await Promise.all([this.keys.stop(), this.sessions.stop()]);
  }

  /** Drops a deleted account from every index. */
  forgetUser(userId: number) {
    this.credentials.invalidateUser(userId);
    this.orgs.forgetUser(userId);
    this.keys.forgetServiceAccount(userId);
    this.sessions.forgetUser(userId);
    this.lastSeen.delete(userId);
  }

  // ---- identities ---------------------------------------------------------

  /**
   * A user acting in `requestedOrg` (0: their active org). Not a member there:
   * still authenticated, but in no org and with no role (Grafana's "Org missing").
   * Proved by a service-account token (`apiKeyId`), it never acts as server admin.
   */
  userIdentity(user: UserRecord, requestedOrg: number, via: string, webSession?: WebSession, apiKeyId?: number): MaybePromise<GrafanaIdentity> {
    if (user.isDisabled) throw G.identityDisabled();
    // A user the org index has not seen yet joins the default org first (known: no promise on the hot path).
    if (!this.orgs.knows(user.id)) return this.orgs.ensureUser(user.id).then(() => this.knownUserIdentity(user, requestedOrg, via, webSession, apiKeyId));
    return this.knownUserIdentity(user, requestedOrg, via, webSession, apiKeyId);
  }

  private knownUserIdentity(user: UserRecord, requestedOrg: number, via: string, webSession: WebSession | undefined, apiKeyId: number | undefined): GrafanaIdentity {
    const orgId = requestedOrg > 0 ? requestedOrg : user.orgId;
    const role = this.orgs.roleOf(user.id, orgId) ?? null;
    this.lastSeen.set(user.id, Date.now());
    return grafanaIdentity(
      user.isServiceAccount ? 'service_account' : 'user', user.username, user.source, user.createdAt / 1000, user.id, via,
      role ? orgId : ORG_MISSING, role, apiKeyId === undefined && user.isAdmin, apiKeyId, webSession,
    );
  }

  /** A verified API key or service-account token. */
  keyIdentity(key: ApiKeyRecord): MaybePromise<GrafanaIdentity> {
    if (key.serviceAccountId === null) {
      return grafanaIdentity('grafana_api_key', `api_key:${key.name}`, 'grafana', key.createdAt / 1000, null, 'api_key', key.orgId, key.role, false, key.id, undefined);
    }
    const sa = this.core.users.getById(key.serviceAccountId);
    if (!sa) throw G.invalidApiKey();
    return this.userIdentity(sa, key.orgId, 'service_account_token', undefined, key.id);
  }

  // ---- passwords: basic auth and the login form ---------------------------

  /**
   * Grafana's password client: brute-force check first (so even the right
   * password is refused while locked), then the account's user source
   * (local, else LDAP when registered). Login or email, case-insensitively.
   */
  verifyPassword(login: string, password: string, ip: string, o: { cache: boolean }): MaybePromise<UserRecord> {
    if (o.cache) {
      const hit = this.credentials.get(login, password, (id) => this.core.users.getById(id));
      if (hit) {
        if (this.bruteForce.userBlockedInMemory(login) || this.bruteForce.ipBlockedInMemory(ip)) throw G.passwordAuthFailed();
        return hit;
      }
    }
    return this.verifyPasswordUncached(login, password, ip, o);
  }

  private async verifyPasswordUncached(login: string, password: string, ip: string, o: { cache: boolean }): Promise<UserRecord> {
    if (await this.bruteForce.userBlocked(login)) throw G.passwordAuthFailed();
    if (await this.bruteForce.ipBlocked(ip)) throw G.loginBlockedIp();
    if (!password || Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw G.passwordAuthFailed();
    let user = this.core.users.findByLoginOrEmail(login) ?? (await this.core.users.fetch(login));
    if (user?.isServiceAccount) user = undefined;
    let verified: UserRecord | undefined;
    try {
      if (user && user.source === 'moonraker') verified = await this.core.verifyPassword(user.username, password, 'moonraker');
      else if (this.core.sources.has('ldap') && (!user || user.source === 'ldap')) verified = await this.core.verifyPassword(user?.username ?? login, password, 'ldap');
    } catch (err) {
      const code = (err as { code?: string }).code;
      // A directory that is down is not a wrong password: don't count it.
      if (code === 'LDAP_ERROR' || code === 'LDAP_UNAVAILABLE') throw G.passwordAuthFailed();
      verified = undefined;
    }
    if (!verified) {
      await this.bruteForce.recordFailure(login, ip);
      await this.core.audit.record('login_failed', { username: login, ip, detail: { face: 'grafana' } });
      throw G.passwordAuthFailed();
    }
    if (verified.isDisabled) throw G.identityDisabled();
    // an LDAP login re-applied the directory's group mappings: this very request must see them
    if (verified.source === 'ldap') await this.orgs.refreshUser(verified.id);
    if (o.cache) this.credentials.put(login, password, verified);
    return verified;
  }

  /** POST /login: a verified password opens a browser session. */
  async login(a: { user: string; password: string; ip: string }): Promise<{ user: UserRecord; token: string; session: WebSession }> {
    if (this.opts.disableLoginForm) throw G.loginDisabled();
    const user = await this.verifyPassword(a.user, a.password, a.ip, { cache: false });
    await this.bruteForce.reset(a.user);
    const { token, session } = await this.sessions.create(user.id);
    await this.core.audit.record('login_ok', { username: user.username, ip: a.ip, detail: { face: 'grafana' } });
    return { user, token, session };
  }

  /** GET /logout: ends this session only. */
  async logout(session: WebSession | undefined, username?: string, ip?: string): Promise<void> {
    if (!session) return;
    await this.sessions.revoke(session);
    await this.core.audit.record('logout', { username: username ?? null, ip, detail: { face: 'grafana' } });
  }

  // ---- first start --------------------------------------------------------

  /**
   * Grafana's admin_user / admin_password, once per store. Without a configured
   * password a random one is generated and returned (never a well-known
   * default); the log says so without printing it.
   */
  async bootstrapAdmin(): Promise<BootstrapResult | null> {
    if (await this.core.store.settings.get(BOOTSTRAP_SETTING)) return null;
    const login = this.opts.adminUser;
    validateUsername(login, 'admin_user');
    const log = this.core.opts.log;
    let result: BootstrapResult;
    let createdId: number | undefined;
    const existing = await this.core.users.fetch(login);
    if (existing) {
      // An account of that name already exists (e.g. a Moonraker user): promote it
      // only when the configured admin_password proves it is the operator's.
      let proven = false;
      if (this.opts.adminPassword && existing.source === 'moonraker') {
        proven = await this.core.verifyPassword(login, this.opts.adminPassword, 'moonraker').then(() => true, () => false);
      }
      if (proven) await this.makeAdmin(existing);
      else log?.warn({ login }, `[security] admin_user "${login}" already exists and admin_password does not match it: it was not made a Grafana admin`);
      result = { login, created: false };
    } else {
      const password = this.opts.adminPassword ?? randomAlnum(20);
      if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw G.legacy(400, `admin_password must be at most ${MAX_PASSWORD_BYTES} bytes`);
      const emailTaken = this.core.users.findByLoginOrEmail(this.opts.adminEmail);
      const user = await this.core.users.create({
        username: login, email: emailTaken ? null : this.opts.adminEmail, name: '', passwordHash: await hashPassword(password),
        source: 'moonraker', isAdmin: true, isServiceAccount: false, isDisabled: false, orgId: DEFAULT_ORG_ID,
      });
      await this.makeAdmin(user);
      createdId = user.id;
      this.core.setBootstrapAdmin(user.id);
      await this.core.audit.record('user_created', { username: login, detail: { by: 'bootstrap', grafanaAdmin: true } });
      result = { login, created: true };
      if (this.opts.adminPassword === undefined) {
        result.generatedPassword = password;
        log?.warn({ login }, `Grafana admin "${login}" created with a generated password; it is shown once, on the console of this first start, and is not logged`);
      }
    }
    await this.core.store.settings.set(BOOTSTRAP_SETTING, JSON.stringify({ at: Date.now(), login, created: result.created, ...(createdId === undefined ? {} : { userId: createdId }) }));
    await this.core.changed();
    return result;
  }

  private async makeAdmin(user: UserRecord) {
    if (!user.isAdmin) await this.core.users.update(user.id, { isAdmin: true });
    const role = (await this.core.store.orgs.membership(DEFAULT_ORG_ID, user.id))?.role;
    if (!role) await this.core.store.orgs.addMember(DEFAULT_ORG_ID, user.id, 'Admin');
    else if (role !== 'Admin') await this.core.store.orgs.setRole(DEFAULT_ORG_ID, user.id, 'Admin');
    await this.orgs.refreshUser(user.id);
  }
}

// The gatehouse core: users, credentials, tokens, keys and audit, with no HTTP
// in sight. Both faces (Moonraker, Grafana) are thin translations of this.
import type { Store, UserRecord } from '../store/types.js';
import { AuditLog } from './audit.js';
import { randomBase32, sha256hex } from './crypto.js';
import { Errors } from './errors.js';
import { CoreEventBus } from './events.js';
import { API_USER, RESERVED_USERS, TRUSTED_USER, type Identity } from './identity.js';
import { JwtService } from './jwt.js';
import type { Keyring } from './keyring.js';
import { MoonrakerApiKey } from './moonraker-api-key.js';
import { hashPassword, MAX_PASSWORD_BYTES } from './passwords.js';
import { TokenSessions } from './token-sessions.js';
import { normalizeIp, TrustedClients } from './trusted-clients.js';
import { LocalSource } from './user-sources/local.js';
import { applyExternalProfile, createExternalUser } from './user-sources/external-users.js';
import { DEFAULT_LOGIN_LIMITS, LoginLimiter, type LoginTicket } from './limits/login-limiter.js';
import type { UserSource } from './user-sources/types.js';
import { UserDirectory } from './users.js';
import { validateUsername } from './validation.js';

export const ACCESS_TTL_S = 3600;
export const ONESHOT_TTL_MS = 5000;
const TRUSTED_SESSION_MS = 3600_000;
export const DEFAULT_ORG_ID = 1;
export const DEFAULT_ORG_NAME = 'Main Org.';
const GENERATION = 'store_generation';
/** Where the Grafana face records its first-start admin (src/core/grafana/grafana-core.ts writes it). */
export const BOOTSTRAP_SETTING = 'grafana_admin_bootstrap';
/** Failures that are guesses at a credential; they count toward the login limits. */
const GUESS_FAILURES = new Set(['INVALID_PASSWORD', 'UNKNOWN_USER', 'LDAP_DENIED']);
/** Bound on the per-address counters of max_login_attempts (oldest address forgotten first). */
const MAX_TRACKED_IPS = 100_000;

export interface CoreOptions {
  issuer: string;
  forceLogins: boolean;
  defaultSource: string;
  enableApiKey: boolean;
  loginTimeoutDays: number;
  maxLoginAttempts: number | null;
  trustedClients: string[];
  refreshTokenRotation: boolean;
  oneshotRatePerMinute: number;
  /** Failed password checks per account within lockoutSeconds before it is locked (default 10; 0: no limit). */
  loginAttemptsPerUser?: number | null;
  /** Failed password checks per client address within lockoutSeconds before it is locked (default 20; 0: no limit). */
  loginAttemptsPerIp?: number | null;
  /** The window over which failures are counted, and so the longest a lockout lasts (default 300). */
  lockoutSeconds?: number;
  auditJsonLines?: string;
  log?: { warn(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void };
}

export interface LoginResult {
  user: UserRecord;
  token: string;
  refreshToken: string;
  sessionId: string;
}

export class Core {
  readonly events = new CoreEventBus();
  readonly users: UserDirectory;
  readonly sessions: TokenSessions;
  readonly jwt: JwtService;
  readonly apiKey: MoonrakerApiKey;
  readonly trusted: TrustedClients;
  readonly audit: AuditLog;
  readonly sources = new Map<string, UserSource>();
  readonly loginLimiter: LoginLimiter;
  private failedLogins = new Map<string, number>();
  private trustedSessions = new Map<string, { createdOn: number; expires: number }>();
  private oneshotIssued = new Map<string, number[]>();
  /** The account gatehouse created itself on first start (the Grafana face's bootstrap admin), if any. */
  private bootstrapAdminId: number | null = null;

  constructor(readonly store: Store, keyring: Keyring, readonly opts: CoreOptions) {
    this.users = new UserDirectory(store);
    this.sessions = new TokenSessions(store);
    this.jwt = new JwtService(keyring.signing, opts.issuer);
    this.apiKey = new MoonrakerApiKey(store, keyring.masterKey);
    this.trusted = new TrustedClients(opts.trustedClients);
    this.audit = new AuditLog(store, opts.auditJsonLines, (err) => opts.log?.error({ err }, 'audit write failed'));
    this.sources.set('moonraker', new LocalSource(this.users));
    this.loginLimiter = new LoginLimiter(store, {
      perUser: opts.loginAttemptsPerUser === undefined ? DEFAULT_LOGIN_LIMITS.perUser : opts.loginAttemptsPerUser,
      perIp: opts.loginAttemptsPerIp === undefined ? DEFAULT_LOGIN_LIMITS.perIp : opts.loginAttemptsPerIp,
      windowSeconds: opts.lockoutSeconds ?? DEFAULT_LOGIN_LIMITS.windowSeconds,
    });
  }

  async start(): Promise<void> {
    const [defaultOrg, generation] = await Promise.all([this.store.orgs.byId(DEFAULT_ORG_ID), this.store.settings.get(GENERATION)]);
    if (!defaultOrg) await this.store.orgs.create(DEFAULT_ORG_NAME);
    this.generation = generation;
    await this.reload();
  }

  /** In-memory indexes kept beside the core's own (the Grafana side's), loaded and reloaded with them. */
  private indexes = new Set<() => Promise<void>>();

  /** Loads `load` with the core's own indexes, at start and whenever another process has written; returns its removal. */
  addIndex(load: () => Promise<void>): () => void {
    this.indexes.add(load);
    return () => this.indexes.delete(load);
  }

  // All at once, not one after another: none waits for another's rows to be taken in first.
  private async reload(): Promise<void> {
    await Promise.all([this.users.load(), this.sessions.load(), this.apiKey.load(), this.loadBootstrapAdmin(), ...[...this.indexes].map((load) => load())]);
  }

  // ---- coherence between processes sharing a store ----------------------
  // Every write bumps a generation stamp in the store. Each instance polls it
  // and reloads its in-memory indexes when another process (a second instance
  // behind the load balancer, or the CLI) has written.

  private generation: string | undefined;
  private syncTimer: NodeJS.Timeout | undefined;

  /** Marks the store as changed by this process. Called after each write. */
  async changed(): Promise<void> {
    this.generation = randomBase32(10);
    await this.store.settings.set(GENERATION, this.generation);
  }

  startSync(intervalMs = 1000): void {
    this.syncTimer = setInterval(() => void this.syncOnce().catch((err) => this.opts.log?.error({ err }, 'store sync failed')), intervalMs);
    this.syncTimer.unref();
  }

  async syncOnce(): Promise<boolean> {
    const g = await this.store.settings.get(GENERATION);
    if (g === this.generation) return false;
    this.generation = g;
    await this.reload();
    this.events.emit('reloaded');
    return true;
  }

  stopSync(): void { clearInterval(this.syncTimer); }

  addSource(source: UserSource) { this.sources.set(source.name, source); }
  availableSources(): string[] { return [...this.sources.keys()]; }

  // ---- identities -------------------------------------------------------

  userIdentity(u: UserRecord, via: string, sessionId?: string): Identity {
    return { kind: 'user', username: u.username, source: u.source, createdOn: u.createdAt / 1000, userId: u.id, sessionId, via };
  }

  apiKeyIdentity(): Identity {
    return { kind: 'api_key', username: API_USER, source: 'moonraker', createdOn: this.apiKey.createdOn, userId: null, via: 'api_key' };
  }

  /** The trusted identity of an address; its created_on is when that trusted session began (1 h sliding, as Moonraker). */
  trustedIdentity(ip: string): Identity {
    const now = Date.now();
    if (this.trustedSessions.size > 1024) {
      for (const [addr, t] of this.trustedSessions) if (t.expires <= now) this.trustedSessions.delete(addr);
    }
    let s = this.trustedSessions.get(ip);
    if (!s || s.expires <= now) s = { createdOn: now / 1000, expires: 0 };
    s.expires = now + TRUSTED_SESSION_MS;
    this.trustedSessions.set(ip, s);
    return { kind: 'trusted', username: TRUSTED_USER, source: 'moonraker', createdOn: s.createdOn, userId: null, via: 'trusted_client' };
  }

  /** Is a previously established identity still good? (user not deleted, login family not revoked) */
  isLive(id: Identity): boolean {
    if (id.userId !== null && !this.users.getById(id.userId)) return false;
    if (id.sessionId !== undefined && !this.sessions.isLive(id.sessionId)) return false;
    if (id.kind === 'api_key' && !this.opts.enableApiKey) return false;
    return true;
  }

  /** Verifies an access JWT; undefined when it is not one of ours, expired, revoked or its user is gone. */
  async verifyAccessToken(token: string, checkExp = true): Promise<Identity | undefined> {
    const known = this.verifyKnownAccessToken(token, checkExp);
    if (known !== undefined) return known ?? undefined;
    const claims = await this.jwt.verify(token, 'access', checkExp);
    if (!claims) return undefined;
    const session = await this.sessions.resolve(claims.sid);
    if (!session) return undefined;
    const user = this.users.get(claims.username) ?? (await this.users.fetch(claims.username));
    if (!user || user.isDisabled || session.userId !== user.id) return undefined;
    return this.userIdentity(user, 'jwt', claims.sid);
  }

  /**
   * verifyAccessToken() without a promise when everything it needs is in memory
   * (a cached token, a live login family, a known user): the identity, or null
   * when it is refused; undefined means "not known here, call verifyAccessToken".
   */
  verifyKnownAccessToken(token: string, checkExp = true): Identity | null | undefined {
    const claims = this.jwt.verifyCached(token, 'access', checkExp);
    if (claims === undefined) return undefined;
    if (claims === false) return null;
    const session = this.sessions.isLive(claims.sid) ? this.sessions.get(claims.sid) : undefined;
    const user = this.users.get(claims.username);
    if (!session || !user) return undefined; // maybe opened or created by another instance: the store decides
    if (user.isDisabled || session.userId !== user.id) return null;
    return this.userIdentity(user, 'jwt', claims.sid);
  }

  /**
   * Moonraker's login_required: force_logins is on and a user exists. The account
   * gatehouse made itself on first start (the Grafana face's bootstrap admin) does
   * not count: nobody created it on the Moonraker side, and counting it would lock
   * every Moonraker client out before its first user exists (see README, "One
   * account set, two faces").
   */
  isLoginRequired(): boolean {
    return this.opts.forceLogins && this.users.hasLoginAccounts(this.bootstrapAdminId);
  }

  private async loadBootstrapAdmin(): Promise<void> {
    const raw = await this.store.settings.get(BOOTSTRAP_SETTING);
    const rec = raw ? (JSON.parse(raw) as { created?: boolean; userId?: number }) : undefined;
    this.bootstrapAdminId = rec?.created && typeof rec.userId === 'number' ? rec.userId : null;
  }

  /** Called by the Grafana face when it has created its bootstrap admin. */
  setBootstrapAdmin(userId: number): void {
    this.bootstrapAdminId = userId;
  }

  // ---- login and accounts ----------------------------------------------

  /** Moonraker's order: an unknown source, then a reserved name (then, by the caller, LDAP creation or availability). */
  private checkSource(source: string, username: string) {
    if (source !== 'moonraker' && source !== 'ldap') throw Errors.invalidSource(source);
    if (RESERVED_USERS.includes(username)) throw Errors.reservedUser(username);
  }

  /**
   * POST /access/login: Moonraker's `_login_jwt_user` rules, plus per-IP max_login_attempts,
   * plus gatehouse's per-account and per-address lockouts (checked before any hashing).
   */
  async login(a: { username: string; password: string; source?: string; ip: string }): Promise<LoginResult> {
    const ip = normalizeIp(a.ip);
    const max = this.opts.maxLoginAttempts;
    if (max !== null && (this.failedLogins.get(ip) ?? 0) >= max) throw Errors.loginsMaxed();
    const ticket = await this.loginLimiter.begin(a.username, ip);
    let result: LoginResult;
    try {
      result = await this.authenticateAndIssue(a.username, a.password, (a.source ?? this.opts.defaultSource).toLowerCase());
    } catch (err) {
      const failures = (this.failedLogins.get(ip) ?? 0) + 1;
      this.failedLogins.delete(ip); // re-insert: the map stays in least-recently-failed order
      this.failedLogins.set(ip, failures);
      if (this.failedLogins.size > MAX_TRACKED_IPS) this.failedLogins.delete(this.failedLogins.keys().next().value!);
      const reason = (err as { code?: string }).code ?? 'error';
      await this.audit.record('login_failed', { username: a.username, ip, detail: { reason } });
      await this.settleFailure(ticket, err, a.username, ip);
      if (max !== null && failures === max) await this.audit.record('lockout', { username: a.username, ip, detail: { scope: 'ip', rule: 'max_login_attempts', attempts: max } });
      throw err;
    }
    await ticket.succeeded();
    this.failedLogins.delete(ip);
    await this.audit.record('login_ok', { username: result.user.username, ip, detail: { source: result.user.source } });
    return result;
  }

  /** Records a failed password check against the limits (if it was a guess) and audits any lockout it started. */
  private async settleFailure(ticket: LoginTicket, err: unknown, username: string, ip: string | undefined): Promise<void> {
    if (!GUESS_FAILURES.has((err as { code?: string }).code ?? '')) return ticket.release();
    for (const scope of await ticket.failed()) {
      await this.audit.record('lockout', { username, ip, detail: { scope, attempts: scope === 'user' ? this.opts.loginAttemptsPerUser ?? DEFAULT_LOGIN_LIMITS.perUser : this.opts.loginAttemptsPerIp ?? DEFAULT_LOGIN_LIMITS.perIp, seconds: this.opts.lockoutSeconds ?? DEFAULT_LOGIN_LIMITS.windowSeconds } });
    }
  }

  private async authenticateAndIssue(username: string, password: string, source: string): Promise<LoginResult> {
    const user = await this.verifyPassword(username, password, source);
    if (user.isDisabled) throw Errors.invalidPassword();
    return this.issueTokens(user);
  }

  /**
   * Proves a username/password pair through its user source (local or LDAP),
   * issuing nothing. The account may be disabled: callers decide what that means.
   * Moonraker's login and Grafana's basic auth and login form all come here.
   */
  async verifyPassword(username: string, password: string, source: string): Promise<UserRecord> {
    this.checkSource(source, username);
    if (source === 'ldap' && !this.sources.has('ldap')) throw Errors.ldapUnavailable();
    if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw Errors.invalidPassword();
    let user = await this.users.fetch(username);
    if (source === 'ldap') {
      const profile = await this.sources.get('ldap')!.authenticate(username, password, user) ?? {};
      // Moonraker creates the user record of an LDAP user at first login.
      user ??= await createExternalUser(this.users, this.store, username, 'ldap', profile, DEFAULT_ORG_ID);
      if (user.source !== 'ldap') throw Errors.wrongSource(username, user.source);
      // What the directory says (group → org roles, server admin, name, email) applies at each login.
      const synced = await applyExternalProfile(this.users, this.store, user, profile);
      user = synced.user;
      if (synced.changed) {
        await this.changed();
        this.events.emit('user_synced', { userId: user.id, username: user.username });
      }
    } else {
      if (!user || user.isServiceAccount) throw Errors.unregisteredUser(username);
      if (user.source !== source) throw Errors.wrongSource(username, user.source);
      await this.sources.get(source)!.authenticate(username, password, user);
    }
    return user;
  }

  async issueTokens(user: UserRecord): Promise<LoginResult> {
    const refreshTtl = this.opts.loginTimeoutDays * 86400;
    const refreshJti = randomBase32(10);
    const sessionId = this.sessions.newId();
    // The family is stored while its tokens are signed; neither is handed out before both are done.
    const [session, access, refresh] = await Promise.all([
      this.sessions.open(user.id, refreshTtl * 1000, refreshJti, sessionId),
      this.jwt.sign(user.username, sessionId, 'access', ACCESS_TTL_S),
      this.jwt.sign(user.username, sessionId, 'refresh', refreshTtl, refreshJti),
    ]);
    return { user, token: access.token, refreshToken: refresh.token, sessionId: session.id };
  }

  /** POST /access/user: creates a local user and logs it in. */
  async createUser(a: { username: string; password: string; source?: string; actor: Identity | null; ip?: string }): Promise<LoginResult> {
    const source = (a.source ?? this.opts.defaultSource).toLowerCase();
    this.checkSource(source, a.username);
    if (source === 'ldap') throw Errors.ldapCreate(); // before availability, as Moonraker
    validateUsername(a.username);
    if (!a.password) throw Errors.invalidArgument('password', 'must not be empty');
    if (Buffer.byteLength(a.password) > MAX_PASSWORD_BYTES) throw Errors.invalidArgument('password', `must be at most ${MAX_PASSWORD_BYTES} bytes`);
    if (this.users.get(a.username)) throw Errors.userExists(a.username);
    const passwordHash = await hashPassword(a.password);
    let user: UserRecord;
    try {
      user = await this.users.create({
        username: a.username, email: null, name: '', passwordHash, source: 'moonraker',
        isAdmin: false, isServiceAccount: false, isDisabled: false, orgId: DEFAULT_ORG_ID,
        memberships: [{ orgId: DEFAULT_ORG_ID, role: 'Viewer' }],
      });
    } catch (err) {
      if ((err as Error).name === 'DuplicateError') throw Errors.userExists(a.username);
      throw err;
    }
    await this.audit.record('user_created', { username: user.username, ip: a.ip, detail: { by: a.actor?.username ?? null } });
    const result = await this.issueTokens(user);
    await this.changed();
    this.events.emit('user_created', { username: user.username });
    return result;
  }

  /** DELETE /access/user */
  async deleteUser(a: { username: string; actor: Identity | null; ip?: string }): Promise<void> {
    if (a.actor && a.actor.username === a.username) throw Errors.cannotDeleteSelf(a.username);
    if (RESERVED_USERS.includes(a.username)) throw Errors.reservedDelete(a.username);
    const user = await this.users.fetch(a.username); // also an account another process created since the last sync
    if (!user || user.isServiceAccount) throw Errors.noSuchUser(a.username);
    await this.removeUser(user);
    await this.audit.record('user_deleted', { username: user.username, ip: a.ip, detail: { by: a.actor?.username ?? null } });
    this.events.emit('user_deleted', { username: user.username, userId: user.id });
  }

  /** Deletes an account with everything hanging off it (tokens, sessions, memberships). */
  async removeUser(user: UserRecord): Promise<void> {
    const ids = await this.sessions.revokeUser(user.id);
    await this.users.delete(user.id);
    await this.changed();
    this.events.emit('sessions_revoked', { userId: user.id, sessionIds: ids });
  }

  /** POST /access/logout: like Moonraker, every token of the user dies, not just this one. */
  async logout(actor: Identity | null, ip?: string): Promise<string> {
    if (!actor) throw Errors.noUserLoggedIn();
    if (actor.kind !== 'user' || actor.userId === null) throw Errors.invalidLogout(actor.username);
    const ids = await this.sessions.revokeUser(actor.userId);
    await this.changed();
    await this.audit.record('logout', { username: actor.username, ip });
    this.events.emit('sessions_revoked', { userId: actor.userId, sessionIds: ids });
    this.events.emit('user_logged_out', { username: actor.username, userId: actor.userId });
    return actor.username;
  }

  /** POST /access/user/password. Unlike Moonraker, the user's other logins are revoked. */
  async changePassword(a: { actor: Identity | null; password: string; newPassword: string; ip?: string }): Promise<string> {
    const actor = a.actor;
    if (!actor) throw Errors.noCurrentUser();
    if (actor.source === 'ldap') throw Errors.ldapPasswordReset(actor.username);
    if (actor.kind !== 'user' || actor.userId === null) throw Errors.invalidResetUser(actor.username);
    const user = this.users.getById(actor.userId);
    if (!user) throw Errors.noCurrentUser();
    if (Buffer.byteLength(a.password) > MAX_PASSWORD_BYTES) throw Errors.invalidPassword();
    // Checking the current password is a password check like a login: the same limits apply,
    // so a stolen access token cannot be used to guess the password behind it.
    const ip = a.ip === undefined ? undefined : normalizeIp(a.ip);
    const ticket = await this.loginLimiter.begin(user.username, ip);
    try {
      await this.sources.get('moonraker')!.authenticate(user.username, a.password, user);
    } catch (err) {
      await this.audit.record('login_failed', { username: user.username, ip, detail: { reason: (err as { code?: string }).code ?? 'error', via: 'password_change' } });
      await this.settleFailure(ticket, err, user.username, ip);
      throw err;
    }
    await ticket.succeeded();
    if (!a.newPassword) throw Errors.invalidArgument('new_password', 'must not be empty');
    if (Buffer.byteLength(a.newPassword) > MAX_PASSWORD_BYTES) throw Errors.invalidArgument('new_password', `must be at most ${MAX_PASSWORD_BYTES} bytes`);
    await this.users.update(user.id, { passwordHash: await hashPassword(a.newPassword) });
    const ids = await this.revokeLoginsAfterPasswordChange(user.id, actor.sessionId);
    await this.audit.record('password_changed', { username: user.username, ip: a.ip });
    this.events.emit('sessions_revoked', { userId: user.id, sessionIds: ids });
    this.events.emit('password_changed', { userId: user.id, username: user.username });
    return user.username;
  }

  /**
   * A new password ends the account's other logins: its token families (but the
   * one making the change) and its browser sessions, in the store before the
   * change is answered, so no instance accepts them afterwards.
   */
  private async revokeLoginsAfterPasswordChange(userId: number, exceptSessionId?: string): Promise<string[]> {
    const ids = await this.sessions.revokeUser(userId, exceptSessionId);
    await this.store.webSessions.revokeForUser(userId, Date.now());
    await this.changed();
    return ids;
  }

  /** Administrative reset (CLI): no current password needed; every login of the user is revoked. */
  async resetPassword(username: string, newPassword: string): Promise<void> {
    const user = await this.users.fetch(username);
    if (!user || user.isServiceAccount) throw Errors.noSuchUser(username);
    if (user.source !== 'moonraker') throw Errors.ldapPasswordReset(username);
    if (!newPassword) throw Errors.invalidArgument('password', 'must not be empty');
    if (Buffer.byteLength(newPassword) > MAX_PASSWORD_BYTES) throw Errors.invalidArgument('password', `must be at most ${MAX_PASSWORD_BYTES} bytes`);
    await this.users.update(user.id, { passwordHash: await hashPassword(newPassword) });
    const ids = await this.revokeLoginsAfterPasswordChange(user.id);
    await this.audit.record('password_changed', { username, detail: { by: 'cli' } });
    this.events.emit('sessions_revoked', { userId: user.id, sessionIds: ids });
    this.events.emit('password_changed', { userId: user.id, username });
  }

  /** POST /access/refresh_jwt. With rotation on, the answer also carries a new refresh token and a spent one revokes its family. */
  async refresh(refreshToken: string, ip?: string): Promise<{ user: UserRecord; token: string; refreshToken?: string }> {
    const claims = await this.jwt.verify(refreshToken, 'refresh', true);
    if (!claims) throw Errors.invalidRefreshToken();
    const user = await this.users.fetch(claims.username);
    const session = await this.sessions.resolve(claims.sid);
    if (!user || user.isDisabled || !session || session.userId !== user.id) throw Errors.invalidRefreshToken();
    let nextRefresh: string | undefined;
    if (this.opts.refreshTokenRotation) {
      const jti = randomBase32(10);
      if (!(await this.sessions.advanceRefresh(session.id, claims.jti, jti))) {
        await this.sessions.revoke(session.id);
        await this.changed();
        this.events.emit('sessions_revoked', { userId: user.id, sessionIds: [session.id] });
        await this.audit.record('refresh_reuse_detected', { username: user.username, ip });
        throw Errors.refreshReuse();
      }
      const ttl = Math.max(1, claims.exp - Math.floor(Date.now() / 1000));
      nextRefresh = (await this.jwt.sign(user.username, session.id, 'refresh', ttl, jti)).token;
    }
    const access = await this.jwt.sign(user.username, session.id, 'access', ACCESS_TTL_S);
    await this.audit.record('token_refresh', { username: user.username, ip });
    return { user, token: access.token, refreshToken: nextRefresh };
  }

  // ---- oneshot tokens ---------------------------------------------------

  /** A 32-char base32 token, good once, for 5 s, from the same address. Stored hashed. */
  async issueOneshot(actor: Identity, rawIp: string): Promise<string> {
    const ip = normalizeIp(rawIp);
    const now = Date.now();
    const recent = (this.oneshotIssued.get(ip) ?? []).filter((t) => t > now - 60_000);
    if (recent.length >= this.opts.oneshotRatePerMinute) throw Errors.oneshotRate();
    recent.push(now);
    this.oneshotIssued.set(ip, recent);
    const token = randomBase32(20);
    await this.store.oneshot.put(sha256hex(token), { userId: actor.userId, identityKind: actor.kind, ip, expiresAt: now + ONESHOT_TTL_MS });
    if (Math.random() < 0.05) void this.store.oneshot.prune(now).catch(() => {});
    return token;
  }

  /** Consumes a oneshot token; an address mismatch still spends it, as in Moonraker. */
  async consumeOneshot(token: string, rawIp: string): Promise<Identity | undefined> {
    if (token.length !== 32) return undefined;
    const rec = await this.store.oneshot.take(sha256hex(token));
    if (!rec || rec.expiresAt <= Date.now() || rec.ip !== normalizeIp(rawIp)) return undefined;
    if (rec.identityKind === 'api_key') return this.apiKeyIdentity();
    if (rec.identityKind === 'trusted') return this.trustedIdentity(rec.ip);
    const user = rec.userId === null ? undefined : this.users.getById(rec.userId);
    return user ? this.userIdentity(user, 'oneshot') : undefined;
  }

  // ---- the Moonraker API key --------------------------------------------

  async rotateApiKey(actor: Identity | null, ip?: string): Promise<string> {
    const key = await this.apiKey.rotate();
    await this.changed();
    await this.audit.record('api_key_rotated', { username: actor?.username ?? null, ip });
    this.events.emit('api_key_rotated');
    return key;
  }
}

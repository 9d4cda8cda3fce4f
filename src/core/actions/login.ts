// Logins: a password proved through its user source (local or LDAP), then a
// token family opened and its JWTs signed. Moonraker's `_login_jwt_user` rules,
// plus per-IP max_login_attempts and gatehouse's per-account and per-address
// lockouts (checked before any hashing).
import type { Ctx } from '../context.js';
import { CoreError, fail, type CoreCode } from '../errors.js';
import { DEFAULT_ORG_ID, RESERVED_USERS, type Identity, type User } from '../model.js';
import { LoginLimiter, type LoginRule, type LoginTicket } from '../limits/login-limiter.js';
import { MaxLoginAttempts } from '../limits/max-attempts.js';
import { newUid, randomBase32, randomUrlToken } from '../security/crypto.js';
import { MAX_PASSWORD_BYTES, verifyDummy } from '../security/passwords.js';
import { normalizeIp } from '../security/trusted-clients.js';
import { applyExternalProfile } from '../sources/external-profile.js';
import { authority } from './authority.js';
import type { ExternalProfile } from '../sources/types.js';
import { DuplicateError } from '../../store/types.js';

export const ACCESS_TTL_S = 3600;
/** Failures that are guesses at a credential; they count toward the login limits. */
const GUESS_FAILURES = new Set<CoreCode>(['INVALID_PASSWORD', 'UNKNOWN_USER', 'LDAP_DENIED']);
/** Grafana's brute-force rule counts failures over 5 minutes. */
const GRAFANA_WINDOW_S = 300;

export interface LoginResult { user: User; token: string; refreshToken: string; sessionId: string }

export class LoginActions {
  /** The one limiter of every password check, on every face. */
  readonly limiter: LoginLimiter;
  /** Each face's rules: [limits] on both; Grafana's brute-force rule ([security]) on the Grafana face too. */
  readonly rules: { moonraker: LoginRule[]; grafana: LoginRule[] };
  private readonly maxAttempts: MaxLoginAttempts;

  constructor(private readonly ctx: Ctx) {
    const l = ctx.config.limits, sec = ctx.config.security;
    this.limiter = new LoginLimiter(ctx.store, { maxInFlight: l.password_checks_queued, keepSeconds: Math.max(l.lockout_seconds, 600) });
    const moonraker: LoginRule[] = [
      { scope: 'user', limit: l.login_attempts_per_user, windowSeconds: l.lockout_seconds, origin: 'limits' },
      { scope: 'ip', limit: l.login_attempts_per_ip, windowSeconds: l.lockout_seconds, origin: 'limits' },
    ];
    const grafana = [...moonraker];
    if (!sec.disable_brute_force_login_protection) {
      grafana.push({ scope: 'user', limit: sec.brute_force_login_protection_max_attempts, windowSeconds: GRAFANA_WINDOW_S, origin: 'grafana' });
      if (!sec.disable_ip_address_login_protection) grafana.push({ scope: 'ip', limit: sec.brute_force_login_protection_max_attempts, windowSeconds: GRAFANA_WINDOW_S, origin: 'grafana' });
    }
    // An account's lock is reported before its address's (Grafana's order).
    this.rules = { moonraker, grafana: [...grafana.filter((r) => r.scope === 'user'), ...grafana.filter((r) => r.scope === 'ip')] };
    this.maxAttempts = new MaxLoginAttempts(ctx.config.authorization.max_login_attempts);
  }

  /** Moonraker's order: an unknown source, then a reserved name (then, by the caller, LDAP creation or availability). */
  checkSource(source: string, username: string) {
    if (source !== 'moonraker' && source !== 'ldap') throw fail('INVALID_SOURCE', { source });
    if (RESERVED_USERS.includes(username)) throw fail('RESERVED_USER', { username });
  }

  /** Records a failed password check against the limits (if it was a guess) and audits any lockout it started. */
  async settleFailure(ticket: LoginTicket, err: unknown, username: string, ip: string | undefined): Promise<void> {
    const code = codeOf(err);
    if (err !== undefined && (!code || !GUESS_FAILURES.has(code))) return ticket.release();
    for (const r of await ticket.failed()) {
      const face = r.origin === 'grafana' ? { face: 'grafana' } : {};
      await this.ctx.audit.record('lockout', { username, ip, detail: { ...face, scope: r.scope, attempts: r.limit, seconds: r.windowSeconds } });
    }
  }

  /** The record of an external user at first login (a Viewer of the default org), tolerating a concurrent first login. */
  private async createExternal(username: string, profile: ExternalProfile): Promise<User> {
    const { ctx } = this;
    const create = (email: string | null) => ctx.write({
      run: () => ctx.store.users.create({
        uid: newUid(), username, email, name: profile.name ?? '', passwordHash: null, source: 'ldap',
        isAdmin: false, isServiceAccount: false, isDisabled: false, orgId: DEFAULT_ORG_ID, scope: profile.scope, memberships: [{ orgId: DEFAULT_ORG_ID, role: 'Viewer' }],
      }),
      changes: (u) => [{ kind: 'user', id: u.id }],
    });
    try {
      return await create(profile.email ?? null);
    } catch (err) {
      if (!(err instanceof DuplicateError)) throw err;
      // Either the same user logged in concurrently, or another account already has this email.
      return (await ctx.ix.users.fetch(username)) ?? create(null);
    }
  }

  /**
   * Proves a username/password pair through its user source (local or LDAP),
   * issuing nothing. The account may be disabled: callers decide what that means.
   * Moonraker's login and Grafana's basic auth and login form all come here.
   */
  async verifyPassword(username: string, password: string, source: string): Promise<User> {
    const { ctx } = this;
    this.checkSource(source, username);
    if (source === 'ldap' && !ctx.sources.has('ldap')) throw fail('LDAP_UNAVAILABLE');
    if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw fail('INVALID_PASSWORD');
    let user = await ctx.ix.users.fetch(username);
    if (source !== 'ldap') {
      if (!user || user.isServiceAccount) {
        await verifyDummy(password); // an unknown account costs the hash a known one does (finding 7)
        throw fail('UNKNOWN_USER', { username });
      }
      if (user.source !== source) throw fail('WRONG_SOURCE', { username, source: user.source });
      await ctx.sources.get(source)!.authenticate(username, password, user);
      return user;
    }
    // The directory matches names ignoring case and surrounding spaces: the account is the entry's own name (finding 5).
    const profile = (await ctx.sources.get('ldap')!.authenticate(username.trim(), password, user)) ?? {};
    const name = profile.username ?? username.trim();
    if (name !== username) {
      this.checkSource(source, name);
      user = await ctx.ix.users.fetch(name);
    }
    user ??= await this.createExternal(name, profile); // Moonraker creates the user record of an LDAP user at first login
    if (user.source !== 'ldap') throw fail('WRONG_SOURCE', { username: name, source: user.source });
    // What the directory says (group → org roles, server admin, name, email) applies at each login.
    const synced = user;
    const keepAdmin = authority(ctx).isLastEnabledAdmin(synced);
    await ctx.write({ run: () => applyExternalProfile(ctx.store, synced, profile, { keepAdmin }), changes: (changed) => (changed ? [{ kind: 'user', id: synced.id }] : []) });
    return ctx.ix.users.getById(user.id) ?? user;
  }

  /** A new login family; `client` (where a password login came from) lists it among the account's sessions. */
  async issueTokens(user: User, client?: { ip: string; userAgent?: string }): Promise<LoginResult> {
    const { ctx } = this;
    const refreshTtl = ctx.config.authorization.login_timeout * 86400;
    const refreshJti = randomBase32(10);
    const sessionId = randomUrlToken(16);
    const now = Date.now();
    // The family is stored while its tokens are signed; neither is handed out before both are done.
    const [, access, refresh] = await Promise.all([
      ctx.write({
        // with where it came from, for the account's session list (user-sessions.ts)
        run: () => ctx.store.sessions.create({ id: sessionId, userId: user.id, createdAt: now, expiresAt: now + refreshTtl * 1000, revokedAt: null, refreshJti },
          client && { ip: client.ip, userAgent: client.userAgent ?? '' }),
        changes: () => [{ kind: 'families', userId: user.id }],
      }),
      ctx.jwt.sign(user.username, sessionId, 'access', ACCESS_TTL_S),
      ctx.jwt.sign(user.username, sessionId, 'refresh', refreshTtl, refreshJti),
    ]);
    return { user, token: access.token, refreshToken: refresh.token, sessionId };
  }

  /** POST /access/login */
  async login(a: { username: string; password: string; source?: string; ip: string; userAgent?: string }): Promise<LoginResult> {
    const { ctx, maxAttempts } = this;
    const ip = normalizeIp(a.ip);
    if (maxAttempts.reached(ip)) throw fail('LOGINS_MAXED');
    const ticket = await this.limiter.begin(a.username, ip, this.rules.moonraker);
    let user: User;
    try {
      user = await this.verifyPassword(a.username, a.password, (a.source ?? ctx.config.authorization.default_source).toLowerCase());
      if (user.isDisabled) throw fail('INVALID_PASSWORD');
    } catch (err) {
      const reachedMax = maxAttempts.failed(ip);
      await ctx.audit.record('login_failed', { username: a.username, ip, detail: { reason: codeOf(err) ?? 'error' } });
      await this.settleFailure(ticket, err, a.username, ip);
      if (reachedMax) await ctx.audit.record('lockout', { username: a.username, ip, detail: { scope: 'ip', rule: 'max_login_attempts', attempts: maxAttempts.max } });
      throw err;
    }
    await ticket.succeeded({ reset: true });
    maxAttempts.succeeded(ip);
    const result = await this.issueTokens(user, { ip, userAgent: a.userAgent });
    await ctx.audit.record('login_ok', { username: user.username, ip, detail: { source: user.source } });
    return result;
  }

  /** A password check of a signed-in account (changing its password) counts like a login. */
  async checkCurrentPassword(user: User, password: string, ip: string | undefined): Promise<void> {
    const ticket = await this.limiter.begin(user.username, ip, this.rules.moonraker);
    try {
      await this.ctx.sources.get('moonraker')!.authenticate(user.username, password, user);
    } catch (err) {
      await this.ctx.audit.record('login_failed', { username: user.username, ip, detail: { reason: codeOf(err) ?? 'error', via: 'password_change' } });
      await this.settleFailure(ticket, err, user.username, ip);
      throw err;
    }
    await ticket.succeeded({ reset: true });
  }

  /** POST /access/logout: like Moonraker, every token of the user dies, not just this one. */
  async logout(actor: Identity | null, ip?: string): Promise<string> {
    if (!actor) throw fail('NO_USER_LOGGED_IN');
    const userId = actor.userId;
    if (actor.kind !== 'user' || userId === null) throw fail('INVALID_LOGOUT', { username: actor.username });
    // Audited first: the write's event (notify_user_logged_out) goes out at the next turn of the
    // event loop, and the answer to this very request must go out before it (websocket/hub.ts).
    await this.ctx.audit.record('logout', { username: actor.username, ip });
    await this.ctx.write({
      run: () => this.ctx.store.sessions.revokeForUser(userId, Date.now()),
      changes: () => [{ kind: 'families', userId }],
      events: () => [{ name: 'user_logged_out', args: [{ username: actor.username, userId }] }],
    });
    return actor.username;
  }
}

const codeOf = (err: unknown) => (err instanceof CoreError ? err.code : undefined);

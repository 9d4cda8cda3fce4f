// Who a Grafana key or password proves, acting in which org with which role:
// the one Identity of the Grafana face's credential steps.
import type { Ctx } from '../context.js';
import { boundedCache } from '../cache.js';
import { CoreError, fail } from '../errors.js';
import { identity, userIdentity, type ApiKey, type Identity, type User, type WebSession } from '../model.js';
import { lockedError } from '../limits/login-limiter.js';
import { CredentialCache } from '../security/credential-cache.js';
import { MAX_PASSWORD_BYTES, verifyDummy } from '../security/passwords.js';
import { normalizeIp } from '../security/trusted-clients.js';
import type { LoginActions } from './login.js';

/** A limiter's refusal as the Grafana face words it: a locked login is "Invalid username or password", a locked address "Login temporarily blocked". */
function grafanaRefusal(err: unknown): unknown {
  if (!(err instanceof CoreError)) return err;
  if (err.code === 'LOGIN_LOCKED_IP') return fail('GRAFANA_LOGIN_BLOCKED_IP');
  if (err.code === 'LOGIN_LOCKED_USER' || err.code === 'LOGIN_BUSY') return fail('GRAFANA_PASSWORD_AUTH_FAILED');
  return err;
}

/** Grafana's "Org missing": a user acting in an org it is not a member of. */
const ORG_MISSING = -1;

export function grafanaIdentities(ctx: Ctx, login: LoginActions) {
  const { users, orgs } = ctx.ix;
  /** Last time each account was seen on the Grafana face (memory only; for lastSeenAt). */
  const lastSeen = boundedCache<number, number>(100_000);
  const credentials = new CredentialCache();
  const v = {
    credentials, lastSeen,

    /**
     * A user acting in `requestedOrg` (0: their active org). Not a member there:
     * still authenticated, but in no org and with no role (Grafana's "Org missing").
     * Proved by a service-account token (`apiKeyId`), it never acts as server admin.
     */
    async grafanaUser(user: User, requestedOrg: number, via: string, o: { webSession?: WebSession; apiKeyId?: number } = {}): Promise<Identity> {
      if (user.isDisabled) throw fail('GRAFANA_IDENTITY_DISABLED');
      if (!orgs.knows(user.id)) await orgs.ensureUser(user.id); // a user created elsewhere since the last sync
      const orgId = requestedOrg > 0 ? requestedOrg : user.orgId;
      const role = orgs.roleOf(user.id, orgId) ?? null;
      lastSeen.set(user.id, Date.now());
      return userIdentity(user, via, { orgId: role ? orgId : ORG_MISSING, orgRole: role, isGrafanaAdmin: o.apiKeyId === undefined && user.isAdmin, ...o });
    },

    /** A verified API key or service-account token. */
    async grafanaKey(key: ApiKey): Promise<Identity> {
      if (key.serviceAccountId === null) {
        return identity({ kind: 'grafana_api_key', username: `api_key:${key.name}`, source: 'grafana', createdOn: key.createdAt / 1000, via: 'api_key', orgId: key.orgId, orgRole: key.role, apiKeyId: key.id });
      }
      const sa = users.getById(key.serviceAccountId) ?? (await users.fetchById(key.serviceAccountId)); // made on another instance a moment ago, perhaps
      if (!sa) throw fail('GRAFANA_API_KEY_INVALID');
      return v.grafanaUser(sa, key.orgId, 'service_account_token', { apiKeyId: key.id });
    },

    grafanaPassword: grafanaPasswordClient(ctx, login, credentials),
  };
  return v;
}

/** Grafana's password client (Basic auth and POST /login). */
function grafanaPasswordClient(ctx: Ctx, login: LoginActions, credentials: CredentialCache) {
  const { users } = ctx.ix;
  /** The account a password proves, or undefined; a directory that is down is not a wrong password (not counted). */
  async function checkPassword(user: User | undefined, loginName: string, password: string): Promise<User | undefined> {
    try {
      if (user && user.source === 'moonraker') return await login.verifyPassword(user.username, password, 'moonraker');
      if (ctx.sources.has('ldap') && (!user || user.source === 'ldap')) return await login.verifyPassword(user?.username ?? loginName, password, 'ldap');
      await verifyDummy(password); // an unknown account costs the hash a known one does (finding 7)
    } catch (err) {
      if (err instanceof CoreError && (err.code === 'LDAP_ERROR' || err.code === 'LDAP_UNAVAILABLE')) throw fail('GRAFANA_PASSWORD_AUTH_FAILED');
      if (!(err instanceof CoreError)) throw err;
    }
    return undefined;
  }

  /**
   * Grafana's password client, behind the one login limiter (login.ts): every
   * rule of the Grafana face ([limits] and Grafana's brute-force rule) is checked
   * first, so even the right password is refused while locked, then the
   * account's user source (local, else LDAP when registered). Login or email,
   * case-insensitively; the limits are keyed on the account it resolves to.
   * `cache`: basic auth on every request is answered from the verified-credential
   * cache, still behind the limiter (failures and attempts in flight it knows of).
   * `form`: POST /login, whose success starts the account's failure count over.
   */
  return async function grafanaPassword(loginName: string, password: string, rawIp: string, o: { cache: boolean; form?: boolean }): Promise<User> {
    const ip = normalizeIp(rawIp);
    const rules = login.rules.grafana;
    const hit = o.cache ? credentials.get(loginName, password, (id) => users.getById(id)) : undefined;
    if (hit) {
      const locked = login.limiter.lockedNow(hit.username, ip, rules);
      if (locked) throw grafanaRefusal(lockedError(locked));
      return hit;
    }
    let user = users.findByLoginOrEmail(loginName) ?? (await users.fetch(loginName));
    if (user?.isServiceAccount) user = undefined;
    const ticket = await login.limiter.begin(user?.username ?? loginName, ip, rules).catch((err: unknown) => { throw grafanaRefusal(err); });
    let verified: User | undefined;
    try {
      if (!password || Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw fail('GRAFANA_PASSWORD_AUTH_FAILED');
      verified = await checkPassword(user, loginName, password);
    } catch (err) {
      ticket.release();
      throw err;
    }
    if (!verified) {
      await ctx.audit.record('login_failed', { username: loginName, ip, detail: { face: 'grafana' } });
      await login.settleFailure(ticket, undefined, loginName, ip);
      throw fail('GRAFANA_PASSWORD_AUTH_FAILED');
    }
    await ticket.succeeded({ reset: o.form });
    if (verified.isDisabled) throw fail('GRAFANA_IDENTITY_DISABLED');
    if (o.cache) credentials.put(loginName, password, verified);
    return verified;
  };
}

// Who a Grafana key or password proves, acting in which org with which role:
// the one Identity of the Grafana face's credential steps.
import type { Ctx } from '../context.js';
import { boundedCache } from '../cache.js';
import { CoreError, fail } from '../errors.js';
import { identity, userIdentity, type ApiKey, type Identity, type User, type WebSession } from '../model.js';
import { BruteForceGuard } from '../limits/brute-force.js';
import { CredentialCache } from '../security/credential-cache.js';
import { MAX_PASSWORD_BYTES } from '../security/passwords.js';
import type { LoginActions } from './login.js';

/** Grafana's "Org missing": a user acting in an org it is not a member of. */
const ORG_MISSING = -1;

export function grafanaIdentities(ctx: Ctx, login: LoginActions) {
  const { users, orgs } = ctx.ix;
  /** Last time each account was seen on the Grafana face (memory only; for lastSeenAt). */
  const lastSeen = boundedCache<number, number>(100_000);
  const credentials = new CredentialCache();
  const bruteForce = new BruteForceGuard(ctx.store, ctx.audit, ctx.config.security);
  /** The account a password proves, or undefined; a directory that is down is not a wrong password (not counted). */
  async function checkPassword(loginName: string, password: string): Promise<User | undefined> {
    let user = users.findByLoginOrEmail(loginName) ?? (await users.fetch(loginName));
    if (user?.isServiceAccount) user = undefined;
    try {
      if (user && user.source === 'moonraker') return await login.verifyPassword(user.username, password, 'moonraker');
      if (ctx.sources.has('ldap') && (!user || user.source === 'ldap')) return await login.verifyPassword(user?.username ?? loginName, password, 'ldap');
    } catch (err) {
      if (err instanceof CoreError && (err.code === 'LDAP_ERROR' || err.code === 'LDAP_UNAVAILABLE')) throw fail('GRAFANA_PASSWORD_AUTH_FAILED');
      if (!(err instanceof CoreError)) throw err;
    }
    return undefined;
  }


  const v = {
    credentials, bruteForce, lastSeen,

    /**
     * A user acting in `requestedOrg` (0: their active org). Not a member there:
     * still authenticated, but in no org and with no role (Grafana's "Org missing").
     * Proved by a service-account token (`apiKeyId`), it never acts as server admin.
     */
    async grafanaUser(user: User, requestedOrg: number, via: string, o: { webSession?: WebSession; apiKeyId?: number } = {}): Promise<Identity> {
      if (user.isDisabled) throw fail('GRAFANA_IDENTITY_DISABLED');
      await orgs.ensureUser(user.id); // a user created elsewhere since the last sync
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
      const sa = await users.fetchById(key.serviceAccountId); // made on another instance a moment ago, perhaps
      if (!sa) throw fail('GRAFANA_API_KEY_INVALID');
      return v.grafanaUser(sa, key.orgId, 'service_account_token', { apiKeyId: key.id });
    },

    /**
     * Grafana's password client: brute-force check first (so even the right
     * password is refused while locked), then the account's user source (local,
     * else LDAP when registered). Login or email, case-insensitively. `cache`:
     * basic auth on every request is answered from the verified-credential cache.
     */
    async grafanaPassword(loginName: string, password: string, ip: string, o: { cache: boolean }): Promise<User> {
      const hit = o.cache ? credentials.get(loginName, password, (id) => users.getById(id)) : undefined;
      if (hit) {
        if (bruteForce.userBlockedInMemory(loginName) || bruteForce.ipBlockedInMemory(ip)) throw fail('GRAFANA_PASSWORD_AUTH_FAILED');
        return hit;
      }
      if (await bruteForce.userBlocked(loginName)) throw fail('GRAFANA_PASSWORD_AUTH_FAILED');
      if (await bruteForce.ipBlocked(ip)) throw fail('GRAFANA_LOGIN_BLOCKED_IP');
      if (!password || Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw fail('GRAFANA_PASSWORD_AUTH_FAILED');
      const verified = await checkPassword(loginName, password);
      if (!verified) {
        await bruteForce.recordFailure(loginName, ip);
        await ctx.audit.record('login_failed', { username: loginName, ip, detail: { face: 'grafana' } });
        throw fail('GRAFANA_PASSWORD_AUTH_FAILED');
      }
      if (verified.isDisabled) throw fail('GRAFANA_IDENTITY_DISABLED');
      if (o.cache) credentials.put(loginName, password, verified);
      return verified;
    },
  };
  return v;
}

// The checks the credential steps (src/auth/steps) are built on: who an access
// JWT, the API key or a trusted address proves (grafana-identities.ts: a Grafana
// key or password), and the one Identity each becomes. Memory first; the store only for what another
// instance created since the last sync.
import { boundedCache } from '../cache.js';
import type { Ctx } from '../context.js';
import { fail } from '../errors.js';
import { API_USER, identity, TRUSTED_USER, userIdentity, type Identity, type Scope, type User } from '../model.js';
import { grafanaIdentities } from './grafana-identities.js';
import type { LoginActions } from './login.js';
import type { MoonrakerKeyActions } from './moonraker-keys.js';

const TRUSTED_SESSION_MS = 3600_000;

export function verifyActions(ctx: Ctx, login: LoginActions, namedKeys: MoonrakerKeyActions) {
  const grafana = grafanaIdentities(ctx, login);
  const { users, families, orgs } = ctx.ix;
  /** When each trusted address's session began (1 h sliding, as Moonraker). */
  const trustedSessions = boundedCache<string, number>(10_000, { ttl: TRUSTED_SESSION_MS, updateAgeOnGet: true });

  const v = {
    apiKeyIdentity: (): Identity => identity({ kind: 'api_key', username: API_USER, source: 'moonraker', createdOn: ctx.ix.apiKey.createdOn, via: 'api_key' }),

    /**
     * An X-Api-Key (or identify's api_key): the global key (constant-time), else
     * a named key (by SHA-256). Throws API_KEY_INVALID, or API_KEY_EXPIRED.
     */
    apiKey(candidate: string, ip?: string): Identity {
      if (ctx.ix.apiKey.matches(candidate)) return v.apiKeyIdentity();
      const named = namedKeys.verify(candidate, ip);
      if (!named) throw fail('API_KEY_INVALID');
      return named;
    },

    /** What an identity may do now: a user's current scope (an admin may have changed it since a websocket identified), else the identity's. */
    scopeOf(id: Identity): Scope {
      return id.userId !== null ? users.getById(id.userId)?.scope ?? id.scope : id.scope;
    },

    /** The trusted identity of an address; its created_on is when that trusted session began. */
    trustedIdentity(ip: string): Identity {
      let since = trustedSessions.get(ip);
      if (since === undefined) trustedSessions.set(ip, (since = Date.now() / 1000));
      return identity({ kind: 'trusted', username: TRUSTED_USER, source: 'moonraker', createdOn: since, via: 'trusted_client' });
    },

    userIdentity: (u: User, via: string, sessionId?: string): Identity => userIdentity(u, via, { sessionId }),

    /** An access JWT's identity; undefined when it is not one of ours, expired, revoked or its user is gone. */
    async accessToken(token: string, checkExp = true): Promise<Identity | undefined> {
      const claims = await ctx.jwt.verify(token, 'access', checkExp);
      if (!claims) return undefined;
      const family = families.get(claims.sid) ?? (await families.resolve(claims.sid));
      if (!family) return undefined;
      const user = users.get(claims.username) ?? (await users.fetch(claims.username));
      if (!user || user.isDisabled || family.userId !== user.id) return undefined;
      return userIdentity(user, 'jwt', { sessionId: claims.sid });
    },

    /** Is a previously established identity still good? (user not deleted nor disabled, login family not revoked, API key on, named key not deleted or expired) */
    isLive(id: Identity): boolean {
      if (id.userId !== null) {
        const u = users.getById(id.userId);
        if (!u || u.isDisabled) return false; // deleted or disabled: every credential stops at once
      }
      if (id.sessionId !== undefined && !families.get(id.sessionId)) return false;
      if (id.kind === 'moonraker_key') return ctx.config.authorization.enable_api_key && ctx.ix.moonrakerKeys.isLive(id);
      return id.kind !== 'api_key' || ctx.config.authorization.enable_api_key;
    },

    /**
     * Moonraker's login_required: force_logins is on and a user exists. The account
     * gatehouse made itself on first start (the Grafana face's bootstrap admin) does
     * not count (README, "One account set, two faces").
     */
    isLoginRequired: (): boolean => ctx.config.authorization.force_logins && users.hasLoginAccounts(ctx.ix.bootstrap.adminId),

  };

  return { ...v, ...grafana };
}

export type VerifyActions = ReturnType<typeof verifyActions>;

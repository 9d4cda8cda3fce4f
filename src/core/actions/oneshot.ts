// Oneshot tokens (GET /access/oneshot_token, then `?token=`): 32 base32
// characters, good once, for 5 s, from the same address; stored hashed.
import { boundedCache } from '../cache.js';
import type { Ctx } from '../context.js';
import { fail } from '../errors.js';
import type { Identity } from '../model.js';
import { randomBase32, sha256hex } from '../security/crypto.js';
import { normalizeIp } from '../security/trusted-clients.js';
import type { VerifyActions } from './verify.js';

export const ONESHOT_TTL_MS = 5000;

export function oneshotActions(ctx: Ctx, verify: VerifyActions) {
  /** Issue times per address in the last minute (bounded: the quietest addresses are forgotten first). */
  const issued = boundedCache<string, number[]>(100_000);
  return {
    async issue(actor: Identity, rawIp: string): Promise<string> {
      const ip = normalizeIp(rawIp);
      const now = Date.now();
      const recent = (issued.get(ip) ?? []).filter((t) => t > now - 60_000);
      if (recent.length >= ctx.config.authorization.oneshot_rate_per_minute) throw fail('ONESHOT_RATE');
      recent.push(now);
      issued.set(ip, recent);
      const token = randomBase32(20);
      // Housekeeping, not a change any index mirrors: no write() needed.
      // A named key's token acts as that key (its scope; refused once the key is gone): its name rides in the kind.
      const identityKind = actor.kind === 'moonraker_key' ? `moonraker_key:${actor.keyName}` : actor.kind;
      await ctx.store.oneshot.put(sha256hex(token), { userId: actor.userId, identityKind, ip, expiresAt: now + ONESHOT_TTL_MS });
      if (Math.random() < 0.05) void ctx.store.oneshot.prune(now).catch(() => {});
      return token;
    },

    /** Consumes a oneshot token; an address mismatch still spends it, as in Moonraker. */
    async consume(token: string, rawIp: string): Promise<Identity | undefined> {
      if (token.length !== 32) return undefined;
      const rec = await ctx.store.oneshot.take(sha256hex(token));
      if (!rec || rec.expiresAt <= Date.now() || rec.ip !== normalizeIp(rawIp)) return undefined;
      if (rec.identityKind === 'api_key') return verify.apiKeyIdentity();
      if (rec.identityKind === 'trusted') return verify.trustedIdentity(rec.ip);
      if (rec.identityKind.startsWith('moonraker_key:')) {
        const named = ctx.ix.moonrakerKeys.get(rec.identityKind.slice('moonraker_key:'.length))?.identity;
        return named && verify.isLive(named) ? named : undefined;
      }
      const user = rec.userId === null ? undefined : await ctx.ix.users.fetchById(rec.userId); // issued on another instance for a user made there a moment ago
      return user ? verify.userIdentity(user, 'oneshot') : undefined;
    },
  };
}

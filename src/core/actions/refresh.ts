// POST /access/refresh_jwt. With refresh_token_rotation on, the answer also
// carries a new refresh token, and a spent one presented again revokes its family.
import type { Ctx } from '../context.js';
import { fail } from '../errors.js';
import type { User } from '../model.js';
import { randomBase32 } from '../security/crypto.js';
import { ACCESS_TTL_S } from './login.js';

export function refreshActions(ctx: Ctx) {
  /** Moves the family's refresh id from `expected` to a new one; the new id, or undefined when `expected` was spent (the family is then revoked). */
  async function rotate(user: User, familyId: string, expected: string, ip?: string): Promise<string> {
    const jti = randomBase32(10);
    const advanced = await ctx.write({
      run: () => ctx.store.sessions.setRefreshJti(familyId, jti, expected),
      changes: (ok) => (ok ? [{ kind: 'families', userId: user.id }] : []),
    });
    if (advanced) return jti;
    await ctx.write({ run: () => ctx.store.sessions.revoke(familyId, Date.now()), changes: () => [{ kind: 'families', userId: user.id }] });
    await ctx.audit.record('refresh_reuse_detected', { username: user.username, ip });
    throw fail('REFRESH_REUSED');
  }

  return {
    async refresh(refreshToken: string, ip?: string): Promise<{ user: User; token: string; refreshToken?: string }> {
      const claims = await ctx.jwt.verify(refreshToken, 'refresh', true);
      if (!claims) throw fail('REFRESH_INVALID');
      const user = await ctx.ix.users.fetch(claims.username);
      const family = await ctx.ix.families.resolve(claims.sid);
      if (!user || user.isDisabled || !family || family.userId !== user.id) throw fail('REFRESH_INVALID');
      let nextRefresh: string | undefined;
      if (ctx.config.authorization.refresh_token_rotation) {
        const jti = await rotate(user, family.id, claims.jti, ip);
        const ttl = Math.max(1, claims.exp - Math.floor(Date.now() / 1000));
        nextRefresh = (await ctx.jwt.sign(user.username, family.id, 'refresh', ttl, jti)).token;
      }
      const access = await ctx.jwt.sign(user.username, family.id, 'access', ACCESS_TTL_S);
      await ctx.audit.record('token_refresh', { username: user.username, ip });
      return { user, token: access.token, refreshToken: nextRefresh };
    },
  };
}

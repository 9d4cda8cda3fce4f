// Scopes (issue 20): a refusal by scope (audited, at most once a minute per
// identity and request, so a client retrying in a loop is no write storm),
// and an admin changing a user's scope.
import { boundedCache } from '../cache.js';
import type { Ctx } from '../context.js';
import { CoreError, fail } from '../errors.js';
import { isScope, RESERVED_USERS, type Identity, type Scope, type User } from '../model.js';

const REFUSAL_AUDIT_EVERY_MS = 60_000;

export function scopeActions(ctx: Ctx) {
  const audited = boundedCache<string, true>(10_000, { ttl: REFUSAL_AUDIT_EVERY_MS });
  return {
    /** The 403 for `who` (acting with `scope`) asking for `what` (a route or a JSON-RPC method) that needs `needed`; the refusal is audited. */
    refuse(who: Identity, scope: Scope, what: string, needed: Scope, ip?: string): CoreError {
      const key = `${who.kind}\0${who.keyName ?? who.username}\0${what}`;
      if (!audited.has(key)) {
        audited.set(key, true);
        void ctx.audit.record('scope_refused', {
          username: who.username, ip,
          detail: { what, scope, needed, ...(who.keyName !== undefined ? { key: who.keyName } : {}) },
        });
      }
      return fail('SCOPE_FORBIDDEN', { scope, needed });
    },

    /** An admin sets a user's scope; the very next request of that user acts with it. */
    async setUserScope(a: { username: string; scope: unknown; actor: Identity | null; ip?: string }): Promise<User> {
      if (!isScope(a.scope)) throw fail('INVALID_SCOPE', { scope: String(a.scope) });
      if (RESERVED_USERS.includes(a.username)) throw fail('RESERVED_USER', { username: a.username });
      const user = await ctx.ix.users.fetch(a.username);
      if (!user || user.isServiceAccount) throw fail('NO_SUCH_USER', { username: a.username });
      const from = user.scope;
      await ctx.write({ run: () => ctx.store.users.update(user.id, { scope: a.scope as Scope }), changes: () => [{ kind: 'user', id: user.id }] });
      await ctx.audit.record('scope_changed', { username: user.username, ip: a.ip, detail: { from, to: a.scope, by: a.actor?.username ?? null } });
      return ctx.ix.users.getById(user.id)!;
    },
  };
}

export type ScopeActions = ReturnType<typeof scopeActions>;

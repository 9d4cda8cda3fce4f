// Moonraker's single global API key: 32 hex characters (uuid4().hex), shown by
// GET /access/api_key and replaced by POST. It must be readable back, so it is
// stored encrypted under the master key rather than hashed.
import { randomUUID } from 'node:crypto';
import type { Ctx } from '../context.js';
import type { Identity } from '../model.js';
import { API_KEY_SETTING } from '../indexes/moonraker-api-key.js';
import { encrypt } from '../security/crypto.js';

export function apiKeyActions(ctx: Ctx) {
  const index = ctx.ix.apiKey;
  const store = (key: string, createdOn: number) => ctx.write({
    run: () => ctx.store.settings.set(API_KEY_SETTING, encrypt(ctx.masterKey, JSON.stringify({ key, createdOn }))),
    changes: () => [{ kind: 'moonraker-api-key' }],
  });
  return {
    get: () => index.get(),
    matches: (candidate: string) => index.matches(candidate),

    /** First start: a key of its own. */
    async ensure(): Promise<void> {
      if (!index.exists) await store(randomUUID().replace(/-/g, ''), Date.now() / 1000);
    },

    async rotate(actor: Identity | null, ip?: string): Promise<string> {
      await store(randomUUID().replace(/-/g, ''), index.createdOn);
      await ctx.audit.record('api_key_rotated', { username: actor?.username ?? null, ip });
      return index.get();
    },
  };
}

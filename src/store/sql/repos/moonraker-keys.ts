// Named Moonraker API keys (issue 20): by name, stored as the SHA-256 of the key.
import type { MoonrakerKey, Scope } from '../../../core/model.js';
import type { Store } from '../../types.js';
import { numOrNull, type Repo, type Row } from './common.js';

const toKey = (r: Row<'moonraker_keys'>): MoonrakerKey => ({
  id: Number(r.id), name: r.name, scope: r.scope as Scope, hash: r.hash,
  createdAt: Number(r.created_at), expiresAt: numOrNull(r.expires_at), lastUsedAt: numOrNull(r.last_used_at),
});

export function moonrakerKeysRepo({ db, unique }: Repo): Store['moonrakerKeys'] {
  return {
    async create(k) {
      return toKey(await unique('moonraker key', () => db.insertInto('moonraker_keys').values({
        name: k.name, scope: k.scope, hash: k.hash, created_at: Date.now(), expires_at: k.expiresAt, last_used_at: null,
      }).returningAll().executeTakeFirstOrThrow()));
    },
    async byName(name) {
      const r = await db.selectFrom('moonraker_keys').selectAll().where('name', '=', name).executeTakeFirst();
      return r && toKey(r);
    },
    async list() {
      return (await db.selectFrom('moonraker_keys').selectAll().orderBy('name').execute()).map(toKey);
    },
    async delete(name) {
      return Number((await db.deleteFrom('moonraker_keys').where('name', '=', name).executeTakeFirst()).numDeletedRows) > 0;
    },
    async touch(ids, at) {
      if (ids.length) await db.updateTable('moonraker_keys').set({ last_used_at: at }).where('id', 'in', ids).execute();
    },
  };
}

import type { ApiKey, Role } from '../../../core/model.js';
import type { Store } from '../../types.js';
import { numOrNull, type Repo, type Row } from './common.js';

const toKey = (r: Row<'api_keys'>): ApiKey => ({
  id: Number(r.id), orgId: Number(r.org_id), name: r.name, role: r.role as Role, hash: r.hash, hashKind: r.hash_kind as ApiKey['hashKind'],
  serviceAccountId: numOrNull(r.service_account_id), expiresAt: numOrNull(r.expires_at), lastUsedAt: numOrNull(r.last_used_at),
  createdAt: Number(r.created_at), isRevoked: !!r.is_revoked,
});

export function apiKeysRepo({ db, unique }: Repo): Store['apiKeys'] {
  const one = async (q: Promise<Row<'api_keys'> | undefined>) => {
    const r = await q;
    return r && toKey(r);
  };
  return {
    async create(k) {
      return toKey(await unique('api key', () => db.insertInto('api_keys').values({
        org_id: k.orgId, name: k.name, role: k.role, hash: k.hash, hash_kind: k.hashKind, service_account_id: k.serviceAccountId,
        expires_at: k.expiresAt, last_used_at: null, created_at: Date.now(), is_revoked: 0,
      }).returningAll().executeTakeFirstOrThrow()));
    },
    byId: (id) => one(db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst()),
    byHash: (hash) => one(db.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst()),
    byOrgAndName: (orgId, name) => one(db.selectFrom('api_keys').selectAll().where('org_id', '=', orgId).where('name', '=', name).executeTakeFirst()),
    async list(f) {
      let q = db.selectFrom('api_keys').selectAll();
      if (f.orgId !== undefined) q = q.where('org_id', '=', f.orgId);
      if (f.serviceAccountId === null) q = q.where('service_account_id', 'is', null);
      else if (f.serviceAccountId !== undefined) q = q.where('service_account_id', '=', f.serviceAccountId);
      return (await q.orderBy('name').execute()).map(toKey);
    },
    async listAll() {
      return (await db.selectFrom('api_keys').selectAll().execute()).map(toKey);
    },
    async delete(id) {
      return Number((await db.deleteFrom('api_keys').where('id', '=', id).executeTakeFirst()).numDeletedRows) > 0;
    },
    async rehash(id, hash, hashKind) {
      await db.updateTable('api_keys').set({ hash, hash_kind: hashKind }).where('id', '=', id).execute();
    },
    async touch(ids, at) {
      if (ids.length) await db.updateTable('api_keys').set({ last_used_at: at }).where('id', 'in', ids).execute();
    },
    async setServiceAccount(id, serviceAccountId) {
      await db.updateTable('api_keys').set({ service_account_id: serviceAccountId }).where('id', '=', id).execute();
    },
  };
}

import type { Membership, Org, Role } from '../../../core/model.js';
import type { Store } from '../../types.js';
import type { Repo, Row } from './common.js';

const toOrg = (r: Row<'orgs'>): Org => ({ id: Number(r.id), name: r.name, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) });
const toMembership = (r: Row<'org_users'>): Membership => ({ orgId: Number(r.org_id), userId: Number(r.user_id), role: r.role as Role, createdAt: Number(r.created_at) });

export function orgsRepo({ db, unique }: Repo): Store['orgs'] {
  const memberships = () => db.selectFrom('org_users').selectAll();
  return {
    async create(name) {
      const now = Date.now();
      return toOrg(await unique('org', () => db.insertInto('orgs').values({ name, created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow()));
    },
    async byId(id) {
      const r = await db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toOrg(r);
    },
    async byName(name) {
      const r = await db.selectFrom('orgs').selectAll().where('name', '=', name).executeTakeFirst();
      return r && toOrg(r);
    },
    async list() {
      return (await db.selectFrom('orgs').selectAll().orderBy('name').execute()).map(toOrg);
    },
    async rename(id, name) {
      await unique('org', () => db.updateTable('orgs').set({ name, updated_at: Date.now() }).where('id', '=', id).execute());
    },
    async delete(id) {
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('api_keys').where('org_id', '=', id).execute();
        await tx.deleteFrom('org_users').where('org_id', '=', id).execute();
        await tx.deleteFrom('orgs').where('id', '=', id).execute();
      });
    },
    async addMember(orgId, userId, role) {
      await unique('membership', () => db.insertInto('org_users').values({ org_id: orgId, user_id: userId, role, created_at: Date.now() }).execute());
    },
    async setRole(orgId, userId, role) {
      await db.updateTable('org_users').set({ role }).where('org_id', '=', orgId).where('user_id', '=', userId).execute();
    },
    async removeMember(orgId, userId) {
      const r = await db.deleteFrom('org_users').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async membership(orgId, userId) {
      const r = await memberships().where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
      return r && toMembership(r);
    },
    async membershipsOfUser(userId) {
      return (await memberships().where('user_id', '=', userId).orderBy('org_id').execute()).map(toMembership);
    },
    async members(orgId) {
      return (await memberships().where('org_id', '=', orgId).orderBy('user_id').execute()).map(toMembership);
    },
    async allMemberships() {
      return (await memberships().execute()).map(toMembership);
    },
  };
}

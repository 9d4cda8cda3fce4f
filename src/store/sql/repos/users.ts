import type { Scope, User } from '../../../core/model.js';
import type { Store } from '../../types.js';
import type { Tables } from '../tables.js';
import { bool, type Repo, type Row } from './common.js';

export const toUser = (r: Row<'users'>): User => ({
  id: Number(r.id), uid: r.uid, username: r.username, email: r.email, name: r.name, passwordHash: r.password_hash, source: r.source,
  isAdmin: !!r.is_admin, isServiceAccount: !!r.is_service_account, isDisabled: !!r.is_disabled,
  scope: r.scope as Scope, orgId: Number(r.org_id), createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
});

export function usersRepo({ db, unique }: Repo): Store['users'] {
  return {
    async create(u) {
      const now = u.createdAt ?? Date.now();
      const row = await unique('user', () => db.transaction().execute(async (tx) => {
        const row = await tx.insertInto('users').values({
          uid: u.uid, username: u.username, email: u.email, name: u.name, password_hash: u.passwordHash, source: u.source,
          is_admin: bool(u.isAdmin), is_service_account: bool(u.isServiceAccount), is_disabled: bool(u.isDisabled),
          scope: u.scope ?? 'admin', org_id: u.orgId, created_at: now, updated_at: now,
        }).returningAll().executeTakeFirstOrThrow();
        for (const m of u.memberships ?? []) {
          await tx.insertInto('org_users').values({ org_id: m.orgId, user_id: row.id, role: m.role, created_at: now }).execute();
        }
        return row;
      }));
      return toUser(row);
    },
    async byId(id) {
      const r = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toUser(r);
    },
    async byUsername(username) {
      const r = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
      return r && toUser(r);
    },
    async list() {
      return (await db.selectFrom('users').selectAll().orderBy('id').execute()).map(toUser);
    },
    async update(id, p) {
      const values: Partial<Tables['users']> = { updated_at: Date.now() };
      if (p.email !== undefined) values.email = p.email;
      if (p.name !== undefined) values.name = p.name;
      if (p.passwordHash !== undefined) values.password_hash = p.passwordHash;
      if (p.isAdmin !== undefined) values.is_admin = bool(p.isAdmin);
      if (p.isDisabled !== undefined) values.is_disabled = bool(p.isDisabled);
      if (p.orgId !== undefined) values.org_id = p.orgId;
      if (p.scope !== undefined) (values as Record<string, unknown>).scope = p.scope;
      if (p.username !== undefined) values.username = p.username;
      await unique('user', () => db.updateTable('users').set(values as never).where('id', '=', id).execute());
    },
    async delete(id) {
      const r = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async count() {
      const r = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}

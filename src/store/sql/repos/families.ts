import type { TokenFamily } from '../../../core/model.js';
import type { Store } from '../../types.js';
import { prepared } from '../prepared.js';
import { numOrNull, type Repo, type Row } from './common.js';

const toFamily = (r: Row<'token_sessions'>): TokenFamily => ({
  id: r.id, userId: Number(r.user_id), createdAt: Number(r.created_at), expiresAt: Number(r.expires_at),
  revokedAt: numOrNull(r.revoked_at), refreshJti: r.refresh_jti,
});

export function familiesRepo({ db }: Repo): Store['sessions'] {
  // Every login runs it: built and compiled once.
  const insert = prepared(db, (id: string, userId: number, createdAt: number, expiresAt: number, revokedAt: number | null, refreshJti: string | null) =>
    db.insertInto('token_sessions').values({ id, user_id: userId, created_at: createdAt, expires_at: expiresAt, revoked_at: revokedAt, refresh_jti: refreshJti }));
  const live = (now: number) => db.selectFrom('token_sessions').selectAll().where('revoked_at', 'is', null).where('expires_at', '>', now);
  return {
    async create(s, client) {
      if (!client) return void (await insert(s.id, s.userId, s.createdAt, s.expiresAt, s.revokedAt, s.refreshJti));
      await db.transaction().execute(async (tx) => {
        await tx.insertInto('token_sessions').values({ id: s.id, user_id: s.userId, created_at: s.createdAt, expires_at: s.expiresAt, revoked_at: s.revokedAt, refresh_jti: s.refreshJti }).execute();
        await tx.insertInto('session_clients').values({ kind: 'moonraker', ref: s.id, user_id: s.userId, ip: client.ip, user_agent: client.userAgent, created_at: s.createdAt }).execute();
      });
    },
    async byId(id) {
      const r = await db.selectFrom('token_sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toFamily(r);
    },
    async listLive(now) {
      return (await live(now).execute()).map(toFamily);
    },
    async liveOfUser(userId, now) {
      return (await live(now).where('user_id', '=', userId).execute()).map(toFamily);
    },
    async revoke(id, at) {
      await db.updateTable('token_sessions').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    },
    async revokeForUser(userId, at, exceptId) {
      let q = db.updateTable('token_sessions').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null);
      if (exceptId) q = q.where('id', '!=', exceptId);
      return (await q.returning('id').execute()).map((r) => r.id);
    },
    async setRefreshJti(id, jti, expected) {
      let q = db.updateTable('token_sessions').set({ refresh_jti: jti }).where('id', '=', id).where('revoked_at', 'is', null);
      q = expected === null ? q.where('refresh_jti', 'is', null) : q.where('refresh_jti', '=', expected);
      const r = await q.executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}

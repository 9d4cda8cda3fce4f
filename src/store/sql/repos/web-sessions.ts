import type { WebSession } from '../../../core/model.js';
import type { Store } from '../../types.js';
import { numOrNull, type Repo, type Row } from './common.js';

const toWebSession = (r: Row<'web_sessions'>): WebSession => ({
  id: Number(r.id), userId: Number(r.user_id), tokenHash: r.token_hash, prevTokenHash: r.prev_token_hash,
  createdAt: Number(r.created_at), rotatedAt: Number(r.rotated_at), seenAt: Number(r.seen_at), revokedAt: numOrNull(r.revoked_at),
});

export function webSessionsRepo({ db }: Repo): Store['webSessions'] {
  const live = (seenSince: number, createdSince: number) => db.selectFrom('web_sessions').selectAll()
    .where('revoked_at', 'is', null).where('seen_at', '>=', seenSince).where('created_at', '>=', createdSince);
  return {
    async create(s, client) {
      return toWebSession(await db.transaction().execute(async (tx) => {
        const row = await tx.insertInto('web_sessions').values({
          user_id: s.userId, token_hash: s.tokenHash, prev_token_hash: s.prevTokenHash, created_at: s.createdAt,
          rotated_at: s.rotatedAt, seen_at: s.seenAt, revoked_at: s.revokedAt,
        }).returningAll().executeTakeFirstOrThrow();
        if (client) {
          await tx.insertInto('session_clients').values({ kind: 'grafana', ref: String(row.id), user_id: s.userId, ip: client.ip, user_agent: client.userAgent, created_at: s.createdAt }).execute();
        }
        return row;
      }));
    },
    async byHash(hash) {
      const r = await db.selectFrom('web_sessions').selectAll().where((eb) => eb.or([eb('token_hash', '=', hash), eb('prev_token_hash', '=', hash)])).executeTakeFirst();
      return r && toWebSession(r);
    },
    async rotate(id, newHash, prevHash, at) {
      await db.updateTable('web_sessions').set({ token_hash: newHash, prev_token_hash: prevHash, rotated_at: at, seen_at: at }).where('id', '=', id).execute();
    },
    async seen(id, at) {
      await db.updateTable('web_sessions').set({ seen_at: at }).where('id', '=', id).execute();
    },
    async revoke(id, at) {
      await db.updateTable('web_sessions').set({ revoked_at: at }).where('id', '=', id).execute();
    },
    async revokeForUser(userId, at, exceptId) {
      let q = db.updateTable('web_sessions').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null);
      if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
      await q.execute();
    },
    async listLive(seenSince, createdSince) {
      return (await live(seenSince, createdSince).execute()).map(toWebSession);
    },
    async liveOfUser(userId, seenSince, createdSince) {
      return (await live(seenSince, createdSince).where('user_id', '=', userId).execute()).map(toWebSession);
    },
    async seenMany(ids, at) {
      if (ids.length) await db.updateTable('web_sessions').set({ seen_at: at }).where('id', 'in', ids).where('seen_at', '<', at).execute();
    },
    async prune(seenBefore, createdBefore) {
      await db.deleteFrom('web_sessions').where((eb) => eb.or([eb('revoked_at', 'is not', null), eb('seen_at', '<', seenBefore), eb('created_at', '<', createdBefore)])).execute();
    },
  };
}

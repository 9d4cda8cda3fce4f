import type { SessionClient } from '../../../core/model.js';
import type { Store } from '../../types.js';
import type { Repo, Row } from './common.js';

const toClient = (r: Row<'session_clients'>): SessionClient => ({
  id: Number(r.id), kind: r.kind === 'grafana' ? 'grafana' : 'moonraker', ref: r.ref, userId: Number(r.user_id),
  ip: r.ip, userAgent: r.user_agent, createdAt: Number(r.created_at),
});

export function sessionClientsRepo({ db }: Repo): Store['sessionClients'] {
  return {
    async byId(id) {
      const r = await db.selectFrom('session_clients').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toClient(r);
    },
    async ofUser(userId) {
      return (await db.selectFrom('session_clients').selectAll().where('user_id', '=', userId).orderBy('id').execute()).map(toClient);
    },
    async prune(before) {
      await db.deleteFrom('session_clients').where('created_at', '<', before).execute();
    },
  };
}

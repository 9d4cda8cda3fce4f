// The small tables: oneshot tokens, settings, the audit log.
import type { AuditEvent } from '../../../core/model.js';
import type { Store } from '../../types.js';
import { prepared } from '../prepared.js';
import type { Repo } from './common.js';

export function oneshotRepo({ db }: Repo): Store['oneshot'] {
  return {
    async put(tokenHash, rec) {
      await db.insertInto('oneshot_tokens').values({ token_hash: tokenHash, user_id: rec.userId, identity_kind: rec.identityKind, ip: rec.ip, expires_at: rec.expiresAt }).execute();
    },
    async take(tokenHash) {
      const r = await db.deleteFrom('oneshot_tokens').where('token_hash', '=', tokenHash).returningAll().executeTakeFirst();
      return r && { userId: r.user_id == null ? null : Number(r.user_id), identityKind: r.identity_kind, ip: r.ip, expiresAt: Number(r.expires_at) };
    },
    async prune(now) {
      await db.deleteFrom('oneshot_tokens').where('expires_at', '<=', now).execute();
    },
  };
}

export function settingsRepo({ db }: Repo): Store['settings'] {
  return {
    async get(key) {
      return (await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value;
    },
    async set(key, value) {
      await db.insertInto('settings').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
    },
    async claim(key, value) {
      await db.insertInto('settings').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
      return (await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow()).value;
    },
  };
}

export function auditRepo({ db }: Repo): Store['audit'] {
  // Every login appends: built and compiled once.
  const append = prepared(db, (at: number, event: string, username: string | null, ip: string | null, detail: string | null) =>
    db.insertInto('audit_log').values({ at, event, username, ip, detail }));
  return {
    async append(e) {
      await append(e.at, e.event, e.username, e.ip, e.detail ? JSON.stringify(e.detail) : null);
    },
    async query(f) {
      let q = db.selectFrom('audit_log').selectAll();
      if (f.event) q = q.where('event', '=', f.event);
      if (f.username) q = q.where('username', '=', f.username);
      if (f.since !== undefined) q = q.where('at', '>=', f.since);
      if (f.until !== undefined) q = q.where('at', '<=', f.until);
      const rows = await q.orderBy('id', 'desc').limit(f.limit ?? 100).execute();
      return rows.map((r): AuditEvent => ({
        id: Number(r.id), at: Number(r.at), event: r.event, username: r.username, ip: r.ip, detail: r.detail ? JSON.parse(r.detail) : null,
      }));
    },
  };
}

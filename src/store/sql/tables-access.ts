// Every row of every table as it is (ids kept), for `gatehouse copy` between
// engines (store/copy.ts). Tables are found by introspection, so a table added
// by a later migration is copied too; the known ones go first, parents before
// children (foreign keys).
import { sql, type Kysely } from 'kysely';
import type { TableAccess } from '../types.js';
import type { Engine } from './migrations.js';

const ORDER = ['orgs', 'users', 'org_users', 'token_sessions', 'oneshot_tokens', 'settings', 'audit_log', 'api_keys', 'web_sessions', 'login_attempts'];
const BATCH = 200;

export function tablesAccess(db: Kysely<any>, engine: Engine): TableAccess {
  return {
    async names() {
      const found = (await db.introspection.getTables()).map((t) => t.name).filter((n) => !n.startsWith('kysely_') && !n.startsWith('sqlite_'));
      const rank = (n: string) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
      return found.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
    },
    async rows(table) {
      const hasId = (await db.introspection.getTables()).find((t) => t.name === table)?.columns.some((c) => c.name === 'id');
      const q = db.selectFrom(table).selectAll();
      return (hasId ? q.orderBy('id') : q).execute();
    },
    async insert(table, rows) {
      for (let i = 0; i < rows.length; i += BATCH) await db.insertInto(table).values(rows.slice(i, i + BATCH)).execute();
    },
    async count(table) {
      const r = await db.selectFrom(table).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },
    /** PostgreSQL: every id sequence continues after the copied ids (SQLite's AUTOINCREMENT follows by itself). */
    async afterCopy() {
      if (engine !== 'postgres') return;
      for (const t of await db.introspection.getTables()) {
        if (t.name.startsWith('kysely_') || !t.columns.some((c) => c.name === 'id' && c.isAutoIncrementing)) continue;
        await sql`SELECT setval(pg_get_serial_sequence(${t.name}, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM ${sql.table(t.name)}`.execute(db);
      }
    },
  };
}

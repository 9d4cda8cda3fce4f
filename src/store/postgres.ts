// PostgreSQL engine, for several gatehouse instances sharing one database.
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Store } from './types.js';
import { createSqlStore } from './sql/sql-store.js';
import { pgChannel } from './pg-channel.js';
import type { Tables } from './sql/tables.js';

// int8 columns (epoch milliseconds, ids) fit in a JS number; read them as numbers.
pg.types.setTypeParser(20, (v) => Number(v));

export function openPostgresStore(connectionString: string): Store {
  const pool = new pg.Pool({ connectionString, max: 10 });
  // An idle connection that the server drops (a restart, a failover, an admin's
  // pg_terminate_backend) is reported here; unhandled, it would end the process.
  // The pool has discarded it already, and the next query opens a new one.
  pool.on('error', () => {});
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  const store = createSqlStore({
    engine: 'postgres',
    db,
    isUniqueViolation: (err) => (err as { code?: unknown })?.code === '23505',
    close: () => db.destroy(),
  });
  return { ...store, channel: pgChannel(connectionString, pool) };
}

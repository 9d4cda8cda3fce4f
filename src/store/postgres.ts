// PostgreSQL engine, for several gatehouse instances sharing one database.
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Store } from './types.js';
import { createSqlStore } from './sql/sql-store.js';
import { pgChannel } from './pg-channel.js';
import type { Tables } from './sql/tables.js';

// int8 columns (epoch milliseconds, ids) fit in a JS number; read them as numbers.
pg.types.setTypeParser(20, (v) => Number(v));

/** SQLSTATE classes and codes, and driver errors, that mean "cannot reach the database now". */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300', '57014', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
const UNAVAILABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|connection error|not queryable|Client was closed|Query read timeout/i;

export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  return UNAVAILABLE_CODES.has(code) || code.startsWith('08') || UNAVAILABLE_MESSAGE.test(String(e?.message ?? ''));
}

// Bounded waits: a request never hangs on the database past these (then: 503).
const CONNECT_TIMEOUT_MS = 3000;
const QUERY_TIMEOUT_MS = 10_000;

export function openPostgresStore(connectionString: string): Store {
  const pool = new pg.Pool({ connectionString, max: 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, query_timeout: QUERY_TIMEOUT_MS, keepAlive: true });
  // An idle connection that the server drops (a restart, a failover, an admin's
  // pg_terminate_backend) is reported here; unhandled, it would end the process.
  // The pool has discarded it already, and the next query opens a new one.
  pool.on('error', () => {});
  // A connection the server drops while it is checked out but between queries (Kysely holds one
  // from acquire to release) emits 'error' on its client, which would end the process too: the
  // next query on it fails instead (a 503), and the pool discards it on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  const store = createSqlStore({
    engine: 'postgres',
    db,
    isUniqueViolation: (err) => (err as { code?: unknown })?.code === '23505',
    isUnavailable,
    close: () => db.destroy(),
  });
  return Object.assign(store, { channel: pgChannel(connectionString, pool) });
}

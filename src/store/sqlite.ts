// Embedded default engine: one SQLite file in the data directory, WAL with
// synchronous=FULL so an acknowledged write survives a crash or power loss.
// Served by a thread of its own while there is work (sqlite-thread.ts: each
// commit's fsync off the event loop), and on the calling thread during
// start-up (see serve()).
import { chmodSync, closeSync, openSync } from 'node:fs';
import { Kysely } from 'kysely';
import type { Store } from './types.js';
import { createSqlStore } from './sql/sql-store.js';
import type { Tables } from './sql/tables.js';
import { ThreadedSqliteDialect } from './sqlite-thread.js';

export const SQLITE_PRAGMAS = ['journal_mode = WAL', 'synchronous = FULL', 'foreign_keys = ON', 'busy_timeout = 5000'];

export function openSqliteStore(file: string): Store {
  // Owner-only from the first byte: the file holds password and key hashes.
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  const dialect = new ThreadedSqliteDialect(file, SQLITE_PRAGMAS, { startHere: true });
  const db = new Kysely<Tables>({ dialect });
  return createSqlStore({
    engine: 'sqlite',
    db,
    isUniqueViolation: (err) => /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(String((err as { code?: unknown })?.code)),
    serve: () => dialect.serve(),
    mayHaveChanged: async () => dialect.changedSinceLastLook(),
    close: () => db.destroy(),
  });
}

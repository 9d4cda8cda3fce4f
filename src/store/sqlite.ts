// Embedded default engine: one SQLite file in the data directory, served by a
// thread of its own (sqlite-thread.ts) so no query blocks the event loop once
// the server serves (start-up runs its queries here: see serve()).
// WAL with synchronous=FULL so an acknowledged write survives a crash or power loss.
import { chmodSync, closeSync, openSync } from 'node:fs';
import { Kysely } from 'kysely';
import type { Store } from './types.js';
import { createSqlStore } from './sql/sql-store.js';
import type { Tables } from './sql/tables.js';
import { ThreadedSqliteDialect } from './sqlite-thread.js';

export function openSqliteStore(file: string): Store {
  // Owner-only from the first byte: the file holds password and key hashes.
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  const pragmas = ['journal_mode = WAL', 'synchronous = FULL', 'foreign_keys = ON', 'busy_timeout = 5000'];
  const dialect = new ThreadedSqliteDialect(file, pragmas, { startHere: true });
  const db = new Kysely<Tables>({ dialect });
  return createSqlStore({
    engine: 'sqlite',
    db,
    isUniqueViolation: (err) =>
      typeof (err as { code?: unknown })?.code === 'string' &&
      /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test((err as { code: string }).code),
    serve: () => dialect.serve(),
    close: () => db.destroy(),
  });
}

// Embedded default engine: one SQLite file in the data directory, served by a
// thread of its own (sqlite-thread.ts) so no query ever blocks the event loop.
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
  const db = new Kysely<Tables>({ dialect: new ThreadedSqliteDialect(file, pragmas) });
  return createSqlStore({
    engine: 'sqlite',
    db,
    isUniqueViolation: (err) =>
      typeof (err as { code?: unknown })?.code === 'string' &&
      /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test((err as { code: string }).code),
    close: () => db.destroy(),
  });
}

// Embedded default engine: one SQLite file in the data directory.
// WAL with synchronous=FULL so an acknowledged write survives a crash or power loss.
import { chmodSync, closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Store } from './types.js';
import { createSqlStore } from './sql/sql-store.js';
import type { Tables } from './sql/tables.js';

export function openSqliteStore(file: string): Store {
  // Owner-only from the first byte: the file holds password and key hashes.
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: sqlite }) });
  return createSqlStore({
    engine: 'sqlite',
    db,
    isUniqueViolation: (err) =>
      typeof (err as { code?: unknown })?.code === 'string' &&
      /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test((err as { code: string }).code),
    close: () => db.destroy(),
  });
}

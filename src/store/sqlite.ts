// Embedded default engine: one SQLite file in the data directory, through
// better-sqlite3 on the event loop's thread, WAL with synchronous=FULL so an
// acknowledged write survives a crash or power loss.
//
// On this thread, not a thread of its own: a worker thread is a V8 isolate of
// its own (~10 MB resident at idle, half of the idle goal's margin), and the
// statements are short (the hot path reads memory only; a login's writes are a
// few small commits). The cost is each commit's fsync on the event loop, which
// bench scenario 4 (p99 beside a login storm) measures; see docs/ARCHITECTURE.md.
import { chmodSync, closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Store } from './types.js';
import { createSqlStore } from './sql/sql-store.js';
import type { Tables } from './sql/tables.js';

export const SQLITE_PRAGMAS = ['journal_mode = WAL', 'synchronous = FULL', 'foreign_keys = ON', 'busy_timeout = 5000'];

export function openSqliteStore(file: string): Store {
  // Owner-only from the first byte: the file holds password and key hashes.
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  const database = new Database(file);
  for (const p of SQLITE_PRAGMAS) database.pragma(p);
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database }) });
  return createSqlStore({
    engine: 'sqlite',
    db,
    isUniqueViolation: (err) => /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(String((err as { code?: unknown })?.code)),
    close: () => db.destroy(),
  });
}

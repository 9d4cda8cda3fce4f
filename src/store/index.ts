// Opening the configured store engine.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from './types.js';
import { openSqliteStore } from './sqlite.js';

export * from './types.js';

export interface StoreOptions { engine: 'sqlite' | 'postgres'; dataDir: string; postgresUrl?: string }

/**
 * Opens the configured engine without touching its schema: call store.migrate()
 * before anything else. (The server builds its routes meanwhile.)
 */
export async function connectStore(o: StoreOptions): Promise<Store> {
  if (o.engine === 'postgres') {
    if (!o.postgresUrl) throw new Error('store "postgres" needs [gatehouse] postgres_url');
    // Loaded only when used: the pg driver is the largest module an SQLite start would otherwise evaluate.
    const { openPostgresStore } = await import('./postgres.js');
    return openPostgresStore(o.postgresUrl);
  }
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  return openSqliteStore(join(o.dataDir, 'gatehouse.sqlite'));
}

/** Opens the configured engine and brings its schema up to date. */
export async function openStore(o: StoreOptions): Promise<Store> {
  const store = await connectStore(o);
  await store.migrate();
  return store;
}

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from './types.js';
import { openSqliteStore } from './sqlite.js';

export * from './types.js';

export interface StoreOptions { engine: 'sqlite' | 'postgres'; dataDir: string; postgresUrl?: string }

/** Opens the configured engine and brings its schema up to date. */
export async function openStore(o: StoreOptions): Promise<Store> {
  let store: Store;
  if (o.engine === 'postgres') {
    if (!o.postgresUrl) throw new Error('store "postgres" needs [gatehouse] postgres_url');
    // Loaded only when used: the pg driver is the largest module an SQLite start would otherwise evaluate.
    const { openPostgresStore } = await import('./postgres.js');
    store = openPostgresStore(o.postgresUrl);
  } else {
    mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
    store = openSqliteStore(join(o.dataDir, 'gatehouse.sqlite'));
  }
  await store.migrate();
  return store;
}

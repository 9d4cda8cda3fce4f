// An idle server reads nothing from its SQLite store: the polling feed asks the
// files' stat first (src/store/sqlite-watch.ts), so the store's thread can end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { sqliteChangeWatch } from '../../src/store/sqlite-watch.js';
import { pollingFeed } from '../../src/core/polling-feed.js';

/** Sets both files' times to one fixed past moment, so only their sizes can tell a write. */
const OLD = new Date('2020-01-01T00:00:00Z');
const age = (dir: string) => {
  for (const f of ['gatehouse.sqlite', 'gatehouse.sqlite-wal']) try { utimesSync(join(dir, f), OLD, OLD); } catch { /* no WAL yet */ }
};

test('SQLite: a look at the files says "changed" only after another connection wrote', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-watch-'));
  const store = await openStore({ engine: 'sqlite', dataDir: dir });
  const other = await openStore({ engine: 'sqlite', dataDir: dir }); // as the CLI would, beside a running server
  try {
    await store.serve();
    await other.serve();
    const file = join(dir, 'gatehouse.sqlite');
    const changed = sqliteChangeWatch(file);
    await other.settings.set('k', 'u'); // the write-ahead log exists from here on
    age(dir);
    assert.equal(await changed(), true, 'the first look has nothing to compare with');
    assert.equal(await changed(), false, 'nothing written since');
    await other.settings.set('k', 'v');
    age(dir);
    assert.equal(await changed(), true, 'the write grew the log, though the times are as they were');
    assert.equal(await changed(), false);
    await other.settings.set('k', 'w');
    assert.equal(await changed(), true, 'a file modified in the last 2 s counts as changed, even in the same time tick as the last look');
  } finally {
    await other.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the polling feed reads the store only when the store may have changed', async () => {
  let reads = 0;
  let maybe = false;
  const feed = pollingFeed({ get: async () => { reads++; return 'g'; }, set: async () => {} }, { mayHaveChanged: async () => maybe });
  assert.equal(await feed.poll(), false);
  assert.equal(reads, 0);
  maybe = true;
  assert.equal(await feed.poll(), true, 'a stamp it did not write');
  assert.equal(reads, 1);
});

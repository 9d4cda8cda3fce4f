// An idle server reads nothing from its SQLite store: the polling feed asks
// SQLite first whether anything was committed (PRAGMA data_version on the
// start-up connection, src/store/sqlite-thread.ts), so no query starts the
// store's thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { pollingFeed } from '../../src/core/polling-feed.js';

test('SQLite: the store says "may have changed" only after a commit by another connection or process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-idle-'));
  const store = await openStore({ engine: 'sqlite', dataDir: dir });
  const other = await openStore({ engine: 'sqlite', dataDir: dir }); // as the CLI would, beside a running server
  try {
    assert.equal(await store.mayHaveChanged!(), true, 'the first look has nothing to compare with');
    assert.equal(await store.mayHaveChanged!(), false, 'nothing committed since');
    await store.serve();
    assert.equal(await store.mayHaveChanged!(), false, 'the hand-over to the thread is not a change');
    await other.settings.set('k', 'v');
    assert.equal(await store.mayHaveChanged!(), true, 'another process committed');
    assert.equal(await store.mayHaveChanged!(), false);
    await store.settings.set('k', 'w');
    assert.equal(await store.mayHaveChanged!(), true, "this store's own commit, made on its thread, is seen too");
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

// The users index tells what a reload found that this process was not told of
// (src/core/indexes/users.ts lastReload): the accounts another process created and
// deleted. The core announces them to websockets (test/cli/user-admin.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { UsersIndex } from '../../src/core/indexes/users.js';
import type { NewUser } from '../../src/core/model.js';

const newUser = (username: string): NewUser => ({
  uid: `uid-${username}`, username, email: null, name: '', passwordHash: 'h', source: 'moonraker',
  isAdmin: false, isServiceAccount: false, isDisabled: false, orgId: 1,
});
const names = (d: { appeared: readonly { username: string }[]; vanished: readonly { username: string }[] }) =>
  ({ appeared: d.appeared.map((u) => u.username), vanished: d.vanished.map((u) => u.username) });

test('lastReload: nothing on the first load; then what other processes created and deleted, not this process\'s own changes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-users-index-'));
  const store = await openStore({ engine: 'sqlite', dataDir: dir });
  const other = await openStore({ engine: 'sqlite', dataDir: dir }); // the CLI, beside a running server
  try {
    const gone = await other.users.create(newUser('gone'));
    await other.users.create(newUser('kept'));
    const ix = new UsersIndex(store);
    await ix.load();
    assert.deepEqual(names(ix.lastReload), { appeared: [], vanished: [] }, 'the first load has nothing to compare with');

    const mine = await store.users.create(newUser('mine')); // this process's own write, applied as write() does
    await ix.apply({ kind: 'user', id: mine.id });
    await other.users.create(newUser('theirs'));
    await other.users.delete(gone.id);
    assert.equal((await ix.fetch('theirs'))?.username, 'theirs', 'read on a miss before the reload');
    await ix.load();
    assert.deepEqual(names(ix.lastReload), { appeared: ['theirs'], vanished: ['gone'] });

    await ix.load();
    assert.deepEqual(names(ix.lastReload), { appeared: [], vanished: [] }, 'nothing new since');

    const late = await store.users.create(newUser('late'));
    const reload = ix.load();
    await ix.apply({ kind: 'user', id: late.id }); // lands while the reload reads
    await reload;
    assert.deepEqual(names(ix.lastReload), { appeared: [], vanished: [] }, 'a reload that raced a change of this process\'s own tells nothing');
  } finally {
    await other.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

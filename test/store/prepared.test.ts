// Prepared queries: built once with markers, run with each call's values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely } from 'kysely';
import Database from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import { prepared } from '../../src/store/sql/prepared.js';

interface Db { t: { name: string; n: number; note: string | null } }

test('a prepared query runs with each call\'s values, fixed values kept, on any parameter order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-prepared-'));
  const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: new Database(join(dir, 'p.sqlite')) }) });
  try {
    await db.schema.createTable('t').addColumn('name', 'text').addColumn('n', 'integer').addColumn('note', 'text').execute();
    const insert = prepared(db, (n: number, name: string, note: string | null) => db.insertInto('t').values({ name, n, note }));
    await insert(1, 'a', null);
    await insert(2, 'b', 'x');
    await insert(3, 'a', 'y');
    // A fixed value (the 0) beside markers, markers in a different order than the arguments.
    const count = prepared(db, (name: string, min: number) =>
      db.selectFrom('t').select((eb) => eb.fn.countAll<number>().as('c')).where('n', '>', 0).where('n', '>=', min).where('name', '=', name));
    assert.equal(Number((await count('a', 0)).rows[0]!.c), 2);
    assert.equal(Number((await count('a', 2)).rows[0]!.c), 1);
    assert.equal(Number((await count('b', 0)).rows[0]!.c), 1);
    assert.deepEqual((await db.selectFrom('t').selectAll().orderBy('n').execute()).map((r) => r.note), [null, 'x', 'y']);
    // An argument that does not end up as a parameter is a programming error, reported at the first call.
    const shapeful = prepared(db, (_unused: string) => db.selectFrom('t').selectAll());
    await assert.rejects(async () => shapeful('x'), /argument 0 is not a parameter/);
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

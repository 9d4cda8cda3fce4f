// The SQLite thread's connection: single queries are pipelined (posted without
// waiting for earlier answers), yet a transaction has the connection to itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, sql } from 'kysely';
import { ThreadedSqliteDialect } from '../../src/store/sqlite-thread.js';

interface DB { t: { id: number; v: string } }

async function withDb(fn: (db: Kysely<DB>, dialect: ThreadedSqliteDialect) => Promise<void>, o: { startHere?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-thread-'));
  const dialect = new ThreadedSqliteDialect(join(dir, 'db.sqlite'), ['journal_mode = WAL', 'busy_timeout = 5000'], o);
  const db = new Kysely<DB>({ dialect });
  try {
    await sql`create table t (id integer primary key, v text not null)`.execute(db);
    await fn(db, dialect);
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A transaction that runs `first`, then waits for finish() (`opened` resolves meanwhile), then runs `then`. */
function heldTransaction(db: Kysely<DB>, first: (trx: Kysely<DB>) => Promise<unknown>, then: (trx: Kysely<DB>) => Promise<unknown>) {
  let inside!: () => void;
  const opened = new Promise<void>((r) => { inside = r; });
  let finish!: () => void;
  const held = new Promise<void>((r) => { finish = r; });
  const done = db.transaction().execute(async (trx) => {
    await first(trx);
    inside();
    await held;
    await then(trx);
  });
  return { opened, finish, done };
}

test('many queries in flight at once: each gets its own answer', () => withDb(async (db) => {
  await db.insertInto('t').values(Array.from({ length: 50 }, (_, i) => ({ id: i, v: `v${i}` }))).execute();
  const got = await Promise.all(Array.from({ length: 50 }, (_, i) => db.selectFrom('t').select('v').where('id', '=', i).executeTakeFirstOrThrow()));
  assert.deepEqual(got.map((r) => r.v), Array.from({ length: 50 }, (_, i) => `v${i}`));
}));

test('a write made while another transaction is open is not part of it: it survives that rollback', () => withDb(async (db) => {
  const tx = heldTransaction(db, (trx) => trx.insertInto('t').values({ id: 1, v: 'in the transaction' }).execute(), async () => { throw new Error('roll back'); });
  await tx.opened;
  const outside = db.insertInto('t').values({ id: 2, v: 'outside' }).execute();
  const read = db.selectFrom('t').select('id').execute();
  tx.finish();
  await assert.rejects(tx.done, /roll back/);
  await outside;
  assert.deepEqual(await read, [{ id: 2 }], 'the read waited for the transaction, and saw none of it');
  assert.deepEqual(await db.selectFrom('t').selectAll().execute(), [{ id: 2, v: 'outside' }]);
}));

test('transactions run one after another; one that fails is rolled back, and the connection is free again', () => withDb(async (db) => {
  await Promise.all([1, 2, 3].map((id) => db.transaction().execute(async (trx) => {
    await trx.insertInto('t').values({ id, v: 'a' }).execute();
    await trx.updateTable('t').set({ v: 'b' }).where('id', '=', id).execute();
  })));
  // A constraint failure inside a transaction rolls it back; the next query still runs.
  await assert.rejects(db.transaction().execute(async (trx) => { await trx.insertInto('t').values({ id: 1, v: 'dup' }).execute(); }));
  assert.deepEqual((await db.selectFrom('t').select(['id', 'v']).orderBy('id').execute()), [{ id: 1, v: 'b' }, { id: 2, v: 'b' }, { id: 3, v: 'b' }]);
}));

test('large results (sent packed) and small ones come back as the same rows, values intact; BLOB columns too', () => withDb(async (tdb) => {
  const db = tdb as unknown as Kysely<any>;
  await sql`create table r (id integer primary key, s text, n real, z text, b blob)`.execute(db);
  const odd = ['plain', 'ünïcødé ✓ 𝄞', 'quote " backslash \\ newline \n tab \t', '\u0000nul', ''];
  const rows = Array.from({ length: 1000 }, (_, i) => ({ id: i + 1, s: odd[i % odd.length]!, n: i % 3 === 0 ? -0.5 * (i + 1) : i * 1e15, z: i % 2 ? null : `x${i}` }));
  for (let i = 0; i < rows.length; i += 200) await db.insertInto('r').values(rows.slice(i, i + 200)).execute();
  const many = await db.selectFrom('r').select(['id', 's', 'n', 'z']).orderBy('id').execute();
  assert.deepEqual(many, rows);
  const few = await db.selectFrom('r').select(['id', 's', 'n', 'z']).where('id', '<=', 10).orderBy('id').execute();
  assert.deepEqual(few, rows.slice(0, 10));
  assert.deepEqual(await db.selectFrom('r').select((eb: any) => eb.fn.countAll().as('c')).execute(), [{ c: 1000 }]);
  await db.updateTable('r').set({ b: Buffer.from([0, 1, 2, 255]) }).execute();
  const blobs = await db.selectFrom('r').select(['id', 'b']).execute();
  assert.equal(blobs.length, 1000);
  assert.ok(blobs.every((x: any) => x.b instanceof Uint8Array && Buffer.from(x.b).equals(Buffer.from([0, 1, 2, 255]))), 'a BLOB comes back as bytes, not as JSON');
}));

test('startHere: queries run on this thread until serve(), which waits for an open transaction, then on the thread, which sees every write', () => withDb(async (db, dialect) => {
  // A temporary table lives on one connection only: it shows which one answers.
  await sql`create temp table here_only (x integer)`.execute(db);
  await sql`select * from here_only`.execute(db);
  const tx = heldTransaction(db,
    (trx) => trx.insertInto('t').values({ id: 1, v: 'in a transaction begun before serve()' }).execute(),
    (trx) => trx.insertInto('t').values({ id: 2, v: 'its second write' }).execute());
  await tx.opened;
  let served = false;
  const serving = dialect.serve().then(() => { served = true; });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(served, false, 'serve() waits for the transaction');
  tx.finish();
  await tx.done;
  await serving;
  await assert.rejects(sql`select * from here_only`.execute(db), /no such table/, 'answered by the thread now');
  assert.deepEqual((await db.selectFrom('t').select(['id', 'v']).orderBy('id').execute()).map((r) => r.id), [1, 2]);
  await db.insertInto('t').values({ id: 3, v: 'after' }).execute();
  assert.equal((await db.selectFrom('t').select('id').execute()).length, 3);
}, { startHere: true }));

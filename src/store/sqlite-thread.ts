// A Kysely dialect for SQLite that runs better-sqlite3 on a thread of its own.
//
// better-sqlite3 is synchronous: on the event loop, every commit's fsync
// (synchronous=FULL) stalls every other request. A login makes two or three
// commits; in a login storm that was 3.5 ms of blocked event loop per login
// (bench scenario 4, `run` in the server profile). Here the event loop only
// posts the query and awaits the answer. Queries still run one at a time, in
// the order they were posted, on one connection.
//
// Start-up is the exception (option `startHere`): until serve() nothing is
// being served, so the schema check and the index loads run on the calling
// thread, on a connection of their own, while the thread boots. Booting it and
// copying every row across took most of a start with 10,000 users and keys.
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import {
  CompiledQuery, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler,
  type DatabaseConnection, type Dialect, type Driver, type Kysely, type QueryResult,
} from 'kysely';

/**
 * Rows come back as arrays (with the column names once), made into objects on
 * this side. From this many rows on, they travel as one JSON text in a buffer
 * handed over without a copy: structured-cloning 10,000 rows cost more, on
 * both threads, than JSON.stringify there and JSON.parse here (index reloads
 * after another process wrote; measured on the loads of a start, when they
 * still ran on the thread: ~35 ms less for 10,000 users and keys). Not for
 * BLOB columns.
 */
const PACK_MIN_ROWS = 256;

const require = createRequire(import.meta.url);

// CommonJS (eval'd workers are): it needs no loader and no build output of its own.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db, openError;
try {
  db = new Database(workerData.file);
  for (const p of workerData.pragmas) db.pragma(p);
} catch (err) { openError = err; }
const statements = new Map();
parentPort.on('message', ({ id, sql, params }) => {
  try {
    if (openError) throw openError;
    if (sql === null) { db.close(); db = undefined; openError = new Error('database closed'); parentPort.postMessage({ id }); return; }
    let s = statements.get(sql);
    if (!s) {
      const stmt = db.prepare(sql);
      const cols = stmt.reader ? stmt.raw(true).columns() : [];
      s = { stmt, names: cols.map((c) => c.name), packable: !cols.some((c) => /BLOB/i.test(c.type || '')) };
      if (statements.size >= 1000) statements.clear();
      statements.set(sql, s);
    }
    if (s.stmt.reader) {
      const rows = s.stmt.all(params);
      if (rows.length < ${PACK_MIN_ROWS} || !s.packable) { parentPort.postMessage({ id, names: s.names, rows }); return; }
      const packed = new TextEncoder().encode(JSON.stringify(rows)).buffer; // a buffer of its own: transferred, not copied
      parentPort.postMessage({ id, names: s.names, packed }, [packed]);
    } else {
      const r = s.stmt.run(params);
      parentPort.postMessage({ id, changes: r.changes, lastInsertRowid: r.lastInsertRowid });
    }
  } catch (err) {
    parentPort.postMessage({ id, error: { message: String(err && err.message), code: err && err.code } });
  }
});
`;

interface Answer { id: number; objects?: unknown[]; names?: string[]; rows?: unknown[][]; packed?: ArrayBuffer; changes?: number; lastInsertRowid?: number | bigint; error?: { message: string; code?: string } }

/** The thread and its queue of questions, answered in order (or, until handOver(), here). */
class SqliteThread {
  private worker: Worker;
  private waiting = new Map<number, { resolve(a: Answer): void; reject(e: Error): void }>();
  private nextId = 1;
  private dead: Error | undefined;
  private here: Database.Database | undefined;

  constructor(file: string, pragmas: string[], startHere: boolean) {
    const driver = require.resolve('better-sqlite3');
    if (startHere) {
      // Opened, and put in WAL mode, before the thread opens its own connection.
      this.here = new (require(driver) as typeof Database)(file);
      for (const p of pragmas) this.here.pragma(p);
    }
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, pragmas, driver } });
    this.worker.unref(); // only a query in flight keeps the process alive
    this.worker.on('message', (a: Answer) => {
      const w = this.waiting.get(a.id);
      if (!w) return;
      this.waiting.delete(a.id);
      if (this.waiting.size === 0) this.worker.unref();
      if (a.error) w.reject(Object.assign(new Error(a.error.message), { code: a.error.code }));
      else w.resolve(a);
    });
    const fail = (err: Error) => {
      this.dead ??= err;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`SQLite thread exited (${code})`)));
  }

  ask(sql: string | null, params: readonly unknown[] = []): Promise<Answer> {
    if (this.here && sql !== null) return this.askHere(sql, params);
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.waiting.set(id, { resolve, reject });
      if (this.waiting.size === 1) this.worker.ref();
      this.worker.postMessage({ id, sql, params });
    });
  }

  private askHere(sql: string, params: readonly unknown[]): Promise<Answer> {
    try {
      const stmt = this.here!.prepare(sql);
      if (stmt.reader) return Promise.resolve({ id: 0, objects: stmt.all(...params) });
      const r = stmt.run(...params);
      return Promise.resolve({ id: 0, changes: r.changes, lastInsertRowid: r.lastInsertRowid });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** From now on every question goes to the thread (call with no transaction open here). */
  handOver(): void {
    this.here?.close();
    this.here = undefined;
  }

  async close(): Promise<void> {
    this.handOver();
    if (!this.dead) await this.ask(null).catch(() => {});
    await this.worker.terminate();
  }
}

function rowObjects<R>(names: string[], rows: unknown[][]): R[] {
  return rows.map((r) => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) o[names[i]!] = r[i];
    return o as R;
  });
}

/** One acquisition of the connection: a single query, or a transaction from begin to commit. */
class ThreadConnection implements DatabaseConnection {
  constructor(private thread: SqliteThread, private driver: ThreadDriver) {}

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    for (let t = this.driver.transactionBlocking(this); t; t = this.driver.transactionBlocking(this)) await t;
    const a = await this.thread.ask(q.sql, q.parameters); // posted in the same step as the check above
    if (a.objects) return { rows: a.objects as R[] };
    if (a.names) return { rows: rowObjects<R>(a.names, a.packed ? JSON.parse(Buffer.from(a.packed).toString()) : a.rows!) };
    return {
      rows: [],
      numAffectedRows: a.changes !== undefined ? BigInt(a.changes) : undefined,
      insertId: a.lastInsertRowid !== undefined ? BigInt(a.lastInsertRowid) : undefined,
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported by the SQLite store');
  }
}

/**
 * One connection (SQLite has one writer). Single queries are posted as they
 * come: the thread runs them in order, back to back, while this thread takes
 * in the answers of earlier ones (at start-up, the index loads). A transaction
 * has the connection to itself from begin to commit or rollback: queries of
 * others wait for its end, so none runs inside it.
 */
class ThreadDriver implements Driver {
  private thread: SqliteThread | undefined;
  private tx: { owner: ThreadConnection; ended: Promise<void>; end(): void } | undefined;

  constructor(private file: string, private pragmas: string[], private startHere: boolean) {}

  async init() {
    this.thread = new SqliteThread(this.file, this.pragmas, this.startHere);
  }

  /** Start-up is over: every query from now on runs on the thread (after any transaction open here ends). */
  async serve(): Promise<void> {
    for (let t = this.tx?.ended; t; t = this.tx?.ended) await t;
    this.thread?.handOver();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new ThreadConnection(this.thread!, this);
  }

  async releaseConnection() {}

  /** The end of another connection's open transaction, which `c` must wait for; undefined when `c` may post now. */
  transactionBlocking(c: DatabaseConnection): Promise<void> | undefined {
    return this.tx && this.tx.owner !== c ? this.tx.ended : undefined;
  }

  async beginTransaction(c: DatabaseConnection) {
    for (let t = this.transactionBlocking(c); t; t = this.transactionBlocking(c)) await t;
    // Taken in the same step as the check above: no other query or transaction slips in between.
    let end!: () => void;
    const ended = new Promise<void>((resolve) => { end = resolve; });
    this.tx = { owner: c as ThreadConnection, ended, end };
    try {
      await c.executeQuery(CompiledQuery.raw('begin'));
    } catch (err) {
      this.endTransaction(c);
      throw err;
    }
  }

  // A commit that fails leaves the transaction open: Kysely rolls it back next, and that ends it.
  async commitTransaction(c: DatabaseConnection) {
    await c.executeQuery(CompiledQuery.raw('commit'));
    this.endTransaction(c);
  }

  async rollbackTransaction(c: DatabaseConnection) {
    try { await c.executeQuery(CompiledQuery.raw('rollback')); } finally { this.endTransaction(c); }
  }

  private endTransaction(c: DatabaseConnection) {
    if (this.tx?.owner !== c) return;
    const { end } = this.tx;
    this.tx = undefined;
    end();
  }

  async destroy() { await this.thread?.close(); }
}

/**
 * SQLite through better-sqlite3 on its own thread; `pragmas` run once when the
 * file opens. With `startHere`, queries run on the calling thread until serve().
 */
export class ThreadedSqliteDialect implements Dialect {
  private driver: ThreadDriver | undefined;
  constructor(private file: string, private pragmas: string[], private o: { startHere?: boolean } = {}) {}
  createDriver() { return (this.driver = new ThreadDriver(this.file, this.pragmas, this.o.startHere ?? false)); }
  /** Start-up is over: from now on no query runs on the calling thread. */
  async serve(): Promise<void> { await this.driver?.serve(); }
  createQueryCompiler() { return new SqliteQueryCompiler(); }
  createAdapter() { return new SqliteAdapter(); }
  createIntrospector(db: Kysely<any>) { return new SqliteIntrospector(db); }
}

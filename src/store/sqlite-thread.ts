// A Kysely dialect for SQLite that runs better-sqlite3 on a thread of its own.
//
// better-sqlite3 is synchronous: on the event loop, every commit's fsync
// (synchronous=FULL) stalls every other request. A login makes two or three
// commits; in a login storm that was 3.5 ms of blocked event loop per login
// (bench scenario 4, `run` in the server profile). Here the event loop only
// posts the query and awaits the answer. Queries still run one at a time, in
// order, on one connection, as Kysely's own SQLite driver runs them.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import {
  CompiledQuery, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler,
  type DatabaseConnection, type Dialect, type Driver, type Kysely, type QueryResult,
} from 'kysely';

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
    let stmt = statements.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      if (statements.size >= 1000) statements.clear();
      statements.set(sql, stmt);
    }
    if (stmt.reader) parentPort.postMessage({ id, rows: stmt.all(params) });
    else {
      const r = stmt.run(params);
      parentPort.postMessage({ id, changes: r.changes, lastInsertRowid: r.lastInsertRowid });
    }
  } catch (err) {
    parentPort.postMessage({ id, error: { message: String(err && err.message), code: err && err.code } });
  }
});
`;

interface Answer { id: number; rows?: unknown[]; changes?: number; lastInsertRowid?: number | bigint; error?: { message: string; code?: string } }

/** The thread and its queue of questions, answered in order. */
class SqliteThread {
  private worker: Worker;
  private waiting = new Map<number, { resolve(a: Answer): void; reject(e: Error): void }>();
  private nextId = 1;
  private dead: Error | undefined;

  constructor(file: string, pragmas: string[]) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
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
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.waiting.set(id, { resolve, reject });
      if (this.waiting.size === 1) this.worker.ref();
      this.worker.postMessage({ id, sql, params });
    });
  }

  async close(): Promise<void> {
    if (!this.dead) await this.ask(null).catch(() => {});
    await this.worker.terminate();
  }
}

class ThreadConnection implements DatabaseConnection {
  constructor(private thread: SqliteThread) {}

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    const a = await this.thread.ask(q.sql, q.parameters);
    if (a.rows) return { rows: a.rows as R[] };
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

/** One connection, one query or transaction at a time (SQLite has one writer). */
class ThreadDriver implements Driver {
  private thread: SqliteThread | undefined;
  private connection: ThreadConnection | undefined;
  private lock: Promise<void> | undefined;
  private unlock: (() => void) | undefined;

  constructor(private file: string, private pragmas: string[]) {}

  async init() {
    this.thread = new SqliteThread(this.file, this.pragmas);
    this.connection = new ThreadConnection(this.thread);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    while (this.lock) await this.lock;
    this.lock = new Promise((resolve) => { this.unlock = resolve; });
    return this.connection!;
  }

  async releaseConnection() {
    const unlock = this.unlock;
    this.lock = undefined;
    this.unlock = undefined;
    unlock?.();
  }

  async beginTransaction(c: DatabaseConnection) { await c.executeQuery(CompiledQuery.raw('begin')); }
  async commitTransaction(c: DatabaseConnection) { await c.executeQuery(CompiledQuery.raw('commit')); }
  async rollbackTransaction(c: DatabaseConnection) { await c.executeQuery(CompiledQuery.raw('rollback')); }

  async destroy() { await this.thread?.close(); }
}

/** SQLite through better-sqlite3 on its own thread; `pragmas` run once when the file opens. */
export class ThreadedSqliteDialect implements Dialect {
  constructor(private file: string, private pragmas: string[]) {}
  createDriver() { return new ThreadDriver(this.file, this.pragmas); }
  createQueryCompiler() { return new SqliteQueryCompiler(); }
  createAdapter() { return new SqliteAdapter(); }
  createIntrospector(db: Kysely<any>) { return new SqliteIntrospector(db); }
}

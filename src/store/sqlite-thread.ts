// A Kysely dialect for SQLite that runs better-sqlite3 on a thread of its own
// (sqlite-worker.ts), started when a query comes and ended after IDLE_MS with
// none: every thread is a V8 isolate of its own, so an idle server holds none.
//
// better-sqlite3 is synchronous: on the event loop, every commit's fsync
// (synchronous=FULL) stalls every other request. Beside a login storm that put
// the event loop's p99 delay at 15 ms and the probe's p99 at 48 ms (bench
// scenario 4; 3.7 and 35 ms with the thread, same host, same hour). Queries run
// one at a time, in the order they were posted, on one connection.
//
// Start-up is the exception (`startHere`): until serve() nothing is served, so
// the schema check and the index loads run on the calling thread, on a
// connection of their own, without booting the thread and copying rows across.
// That connection then stays, idle, to say whether anything was committed
// (changedSinceLastLook): the store's change poll asks it first.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import {
  CompiledQuery, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler,
  type DatabaseConnection, type Dialect, type Driver, type Kysely, type QueryResult,
} from 'kysely';
import type { Answer } from './sqlite-worker.js';

const IDLE_MS = 30_000;
const require = createRequire(import.meta.url);

/**
 * The worker: the bundle's sqlite-worker.mjs beside this module, or (running the
 * sources) sqlite-worker.ts through tsx's loader, registered in the thread first
 * (a thread does not inherit the loader hooks of `--import tsx`).
 */
function newWorker(workerData: unknown): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./sqlite-worker.mjs', here), { workerData });
  const tsx = pathToFileURL(require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href; // its ESM entry
  const source = new URL('./sqlite-worker.ts', here).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(source)}); })`, { eval: true, workerData });
}

/** The thread and its queue of questions, answered in order (or, until handOver(), here). */
class SqliteThread {
  private worker: Worker | undefined;
  private waiting = new Map<number, { resolve(a: Answer): void; reject(e: Error): void }>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private here: Database.Database | undefined;
  private watcher: Database.Database | undefined;
  private seenVersion = -1;

  constructor(private file: string, private pragmas: string[], startHere: boolean, private busy: () => boolean) {
    if (!startHere) return;
    this.here = new (require('better-sqlite3') as typeof Database)(file);
    for (const p of pragmas) this.here.pragma(p);
  }

  private start(): Worker {
    const w = newWorker({ file: this.file, pragmas: this.pragmas });
    w.on('message', (a: Answer) => {
      const p = this.waiting.get(a.id);
      if (!p) return;
      this.waiting.delete(a.id);
      if (this.waiting.size === 0) this.idle();
      if (a.error) p.reject(Object.assign(new Error(a.error.message), { code: a.error.code }));
      else p.resolve(a);
    });
    const fail = (err: Error) => {
      if (this.worker === w) this.worker = undefined;
      for (const p of this.waiting.values()) p.reject(err);
      this.waiting.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`SQLite thread exited (${code})`)));
    return w;
  }

  /** With nothing in flight: unref'd, and ended after IDLE_MS unless a transaction is open. */
  private idle() {
    this.worker?.unref();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.waiting.size > 0 || this.busy() || !this.worker) return;
      void this.stop();
    }, IDLE_MS).unref();
  }

  ask(sql: string | null, params: readonly unknown[] = []): Promise<Answer> {
    if (this.here && sql !== null) return this.askHere(sql, params);
    clearTimeout(this.idleTimer);
    const w = (this.worker ??= this.start());
    w.ref(); // a query in flight keeps the process alive
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.waiting.set(id, { resolve, reject });
      w.postMessage({ id, sql, params });
    });
  }

  private askHere(sql: string, params: readonly unknown[]): Promise<Answer> {
    try {
      const stmt = this.here!.prepare(sql);
      if (stmt.reader) return Promise.resolve({ id: 0, rows: stmt.all(...params) });
      const r = stmt.run(...params);
      return Promise.resolve({ id: 0, changes: r.changes, lastInsertRowid: r.lastInsertRowid });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** From now on every question goes to the thread (call with no transaction open here). */
  handOver(): void {
    if (!this.here) return;
    // Kept open, idle, as the watcher: closing it would also change the files (a checkpoint).
    this.watcher = this.here;
    this.here = undefined;
    this.watcher.pragma('busy_timeout = 0'); // never waits on the event loop: busy counts as "changed"
    this.watcher.pragma('shrink_memory');
  }

  /**
   * Has another connection (the thread's, another process's) committed since the
   * last look? SQLite's own answer (PRAGMA data_version) on the start-up
   * connection: no query reaches the thread, so an idle server starts none.
   */
  changedSinceLastLook(): boolean {
    const db = this.here ?? this.watcher;
    if (!db) return true;
    try {
      const version = db.pragma('data_version', { simple: true }) as number;
      const changed = version !== this.seenVersion;
      this.seenVersion = version;
      return changed;
    } catch {
      return true;
    }
  }

  /** Closes the thread's connection and ends the thread (the next question starts a new one). */
  async stop(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    await this.ask(null).catch(() => {});
    this.worker = undefined;
    await w.terminate();
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    this.here?.close();
    this.here = undefined;
    await this.stop();
    this.watcher?.close();
    this.watcher = undefined;
  }
}

/** One acquisition of the connection: a single query, or a transaction from begin to commit. */
class ThreadConnection implements DatabaseConnection {
  constructor(private thread: SqliteThread, private driver: ThreadDriver) {}

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    for (let t = this.driver.transactionBlocking(this); t; t = this.driver.transactionBlocking(this)) await t;
    const a = await this.thread.ask(q.sql, q.parameters); // posted in the same step as the check above
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
    this.thread = new SqliteThread(this.file, this.pragmas, this.startHere, () => this.tx !== undefined);
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

  changedSinceLastLook(): boolean { return this.thread?.changedSinceLastLook() ?? true; }

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
  /** Whether another connection may have committed since the last look (needs `startHere`; else always true). */
  changedSinceLastLook(): boolean { return this.driver?.changedSinceLastLook() ?? true; }
  createQueryCompiler() { return new SqliteQueryCompiler(); }
  createAdapter() { return new SqliteAdapter(); }
  createIntrospector(db: Kysely<any>) { return new SqliteIntrospector(db); }
}

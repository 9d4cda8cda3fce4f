// The SQLite thread (started by sqlite-thread.ts): better-sqlite3 on one
// connection, each question answered in the order it came. Built beside the
// bundle by scripts/build.js.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export interface Question { id: number; sql: string | null; params: readonly unknown[] }
export interface Answer { id: number; rows?: unknown[]; changes?: number; lastInsertRowid?: number | bigint; error?: { message: string; code?: string } }

const { file, pragmas } = workerData as { file: string; pragmas: string[] };
let db: Database.Database | undefined;
let openError: unknown;
try {
  db = new Database(file);
  for (const p of pragmas) db.pragma(p);
} catch (err) {
  openError = err;
}
const statements = new Map<string, Database.Statement>();

function answer({ id, sql, params }: Question): Answer {
  if (openError) throw openError;
  if (sql === null) {
    db!.close();
    openError = new Error('database closed');
    return { id };
  }
  let stmt = statements.get(sql);
  if (!stmt) {
    if (statements.size >= 1000) statements.clear();
    statements.set(sql, (stmt = db!.prepare(sql)));
  }
  if (stmt.reader) return { id, rows: stmt.all(...params) };
  const r = stmt.run(...params);
  return { id, changes: r.changes, lastInsertRowid: r.lastInsertRowid };
}

parentPort!.on('message', (q: Question) => {
  let a: Answer;
  try {
    a = answer(q);
  } catch (err) {
    const e = err as { message?: string; code?: string };
    a = { id: q.id, error: { message: String(e?.message), code: e?.code } };
  }
  parentPort!.postMessage(a);
});

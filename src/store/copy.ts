// Moves a whole store to another engine (SQLite ↔ PostgreSQL): every table's rows
// as they are, ids included (users, password hashes, token families, keys, orgs,
// settings with the sealed keys, the audit trail). The destination must be empty.
import type { Store } from './types.js';

export interface CopyReport { table: string; rows: number }

export async function copyStore(from: Store, to: Store): Promise<CopyReport[]> {
  const tables = await from.tables.names();
  const target = new Set(await to.tables.names());
  const missing = tables.filter((t) => !target.has(t));
  if (missing.length) throw new Error(`the destination has no table ${missing.join(', ')} (is it an older gatehouse?)`);
  for (const t of tables) {
    if ((await to.tables.count(t)) > 0) throw new Error(`the destination is not empty (table ${t} has rows): copy only into a new database`);
  }
  const report: CopyReport[] = [];
  for (const t of tables) {
    const rows = await from.tables.rows(t);
    await to.tables.insert(t, rows);
    report.push({ table: t, rows: rows.length });
  }
  await to.tables.afterCopy();
  return report;
}

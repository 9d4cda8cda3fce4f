// Has any process written the SQLite file since the last look? The polling feed
// (src/core/polling-feed.ts) asks this every second before it reads the store's
// generation stamp, so an idle server reads nothing, and its SQLite thread
// (sqlite-thread.ts) ends instead of living on a poll.
//
// Every commit changes the database file or its write-ahead log: the size, the
// modification time, or (a copied-in file) the inode. Modification times tick
// coarsely (a few ms), so a file modified in the last RECENT_MS counts as
// changed whatever its stamp says: a write landing in the same tick as a look is
// not missed.
import { stat } from 'node:fs/promises';

const RECENT_MS = 2000;

export function sqliteChangeWatch(file: string): () => Promise<boolean> {
  let last = '';
  return async () => {
    const stats = await Promise.all([file, `${file}-wal`].map((f) => stat(f, { bigint: true }).catch(() => undefined)));
    const stamp = stats.map((s) => (s ? `${s.ino}:${s.size}:${s.mtimeNs}` : '-')).join('|');
    const newest = Math.max(...stats.map((s) => (s ? Number(s.mtimeMs) : 0)));
    const changed = stamp !== last || Date.now() - newest < RECENT_MS;
    last = stamp;
    return changed;
  };
}

// Serving an older revision beside this one: each git revision is exported
// (git archive) to bench/.cache/revs/<sha>/ with this checkout's node_modules
// and this checkout's bench harness (child protocol, servers), so only src/
// differs between the revisions compared. 'WORKTREE' is this checkout as it is.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from './child.js';

export const ROOT = join(BENCH_DIR, '..');
export const WORKTREE = 'WORKTREE';

/** The directory to serve `rev` from. */
export function exportRev(rev: string): string {
  if (rev === WORKTREE) return ROOT;
  const sha = execFileSync('git', ['rev-parse', '--short', rev], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = join(BENCH_DIR, '.cache', 'revs', sha);
  if (!existsSync(join(dir, 'src'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${sha} | tar -x -C "${dir}"`], { cwd: ROOT });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  }
  rmSync(join(dir, 'bench'), { recursive: true, force: true });
  mkdirSync(join(dir, 'bench'));
  for (const p of ['lib', 'servers']) cpSync(join(BENCH_DIR, p), join(dir, 'bench', p), { recursive: true });
  return dir;
}

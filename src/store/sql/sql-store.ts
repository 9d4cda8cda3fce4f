// The Store contract over Kysely, composed of one repository per table
// (repos/). Engine adapters (../sqlite.ts, ../postgres.ts) supply the connection
// and the way their driver reports unique violations.
import { Migrator, type Kysely } from 'kysely';
import { DuplicateError, StoreUnavailableError, type Store } from '../types.js';
import { migrationProvider, type Engine } from './migrations.js';
import type { Tables } from './tables.js';
import type { Repo } from './repos/common.js';
import { usersRepo } from './repos/users.js';
import { familiesRepo } from './repos/families.js';
import { auditRepo, oneshotRepo, settingsRepo } from './repos/small.js';
import { orgsRepo } from './repos/orgs.js';
import { apiKeysRepo } from './repos/api-keys.js';
import { webSessionsRepo } from './repos/web-sessions.js';
import { moonrakerKeysRepo } from './repos/moonraker-keys.js';
import { loginAttemptsRepo } from './repos/login-attempts.js';
import { sessionClientsRepo } from './repos/session-clients.js';
import { tablesAccess } from './tables-access.js';

export interface EngineAdapter {
  engine: Engine;
  db: Kysely<Tables>;
  isUniqueViolation(err: unknown): boolean;
  /** The engine's way of saying it cannot be reached (connection lost, refused, timed out). */
  isUnavailable?(err: unknown): boolean;
  serve?(): Promise<void>;
  mayHaveChanged?(): Promise<boolean>;
  close(): Promise<void>;
}

export function createSqlStore(a: EngineAdapter): Store {
  const repo: Repo = {
    db: a.db,
    async unique(what, fn) {
      try {
        return await fn();
      } catch (err) {
        if (a.isUniqueViolation(err)) throw new DuplicateError(what);
        throw err;
      }
    },
  };
  const timing: Timing = { observe: undefined };
  const guarded = <R extends object>(label: string, r: R) => guard(label, r, a.isUnavailable, timing);
  return {
    engine: a.engine,
    get observe() { return timing.observe; },
    set observe(fn) { timing.observe = fn; },
    async migrate() {
      const { error, results } = await new Migrator({ db: a.db, provider: migrationProvider(a.engine) }).migrateToLatest();
      if (error) {
        const failed = results?.find((r) => r.status === 'Error');
        throw new Error(`store migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message}`);
      }
    },
    serve: async () => { await a.serve?.(); },
    mayHaveChanged: a.mayHaveChanged,
    close: () => a.close(),
    users: guarded('users', usersRepo(repo)),
    sessions: guarded('sessions', familiesRepo(repo)),
    oneshot: guarded('oneshot', oneshotRepo(repo)),
    settings: guarded('settings', settingsRepo(repo)),
    audit: guarded('audit', auditRepo(repo)),
    orgs: guarded('orgs', orgsRepo(repo)),
    apiKeys: guarded('apiKeys', apiKeysRepo(repo)),
    moonrakerKeys: guarded('moonrakerKeys', moonrakerKeysRepo(repo)),
    webSessions: guarded('webSessions', webSessionsRepo(repo)),
    sessionClients: guarded('sessionClients', sessionClientsRepo(repo)),
    loginAttempts: guarded('loginAttempts', loginAttemptsRepo(repo)),
    tables: tablesAccess(a.db, a.engine),
  };
}

interface Timing { observe: Store['observe'] }

/** The repository with every failure to reach the engine raised as a StoreUnavailableError (the faces answer 503), and timed when observed. */
function guard<R extends object>(label: string, repo: R, isUnavailable: ((err: unknown) => boolean) | undefined, timing: Timing): R {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(repo)) {
    out[name] = typeof fn !== 'function' ? fn : async (...args: unknown[]) => {
      const started = timing.observe ? performance.now() : 0;
      let ok = false;
      try {
        const r = await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
        ok = true;
        return r;
      } catch (err) {
        throw isUnavailable?.(err) ? new StoreUnavailableError(err) : err;
      } finally {
        timing.observe?.(`${label}.${name}`, performance.now() - started, ok);
      }
    };
  }
  return out as R;
}

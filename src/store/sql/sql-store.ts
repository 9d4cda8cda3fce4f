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
  return {
    engine: a.engine,
    async migrate() {
      const { error, results } = await new Migrator({ db: a.db, provider: migrationProvider(a.engine) }).migrateToLatest();
      if (error) {
        const failed = results?.find((r) => r.status === 'Error');
        throw new Error(`store migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message}`);
      }
    },
    serve: async () => { await a.serve?.(); },
    close: () => a.close(),
    users: guarded(usersRepo(repo), a.isUnavailable),
    sessions: guarded(familiesRepo(repo), a.isUnavailable),
    oneshot: guarded(oneshotRepo(repo), a.isUnavailable),
    settings: guarded(settingsRepo(repo), a.isUnavailable),
    audit: guarded(auditRepo(repo), a.isUnavailable),
    orgs: guarded(orgsRepo(repo), a.isUnavailable),
    apiKeys: guarded(apiKeysRepo(repo), a.isUnavailable),
    moonrakerKeys: guarded(moonrakerKeysRepo(repo), a.isUnavailable),
    webSessions: guarded(webSessionsRepo(repo), a.isUnavailable),
    sessionClients: guarded(sessionClientsRepo(repo), a.isUnavailable),
    loginAttempts: guarded(loginAttemptsRepo(repo), a.isUnavailable),
    tables: tablesAccess(a.db, a.engine),
  };
}

/** The repository with every failure to reach the engine raised as a StoreUnavailableError (the faces answer 503). */
function guarded<R extends object>(repo: R, isUnavailable: ((err: unknown) => boolean) | undefined): R {
  if (!isUnavailable) return repo;
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(repo)) {
    out[name] = typeof fn !== 'function' ? fn : async (...args: unknown[]) => {
      try {
        return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
      } catch (err) {
        throw isUnavailable(err) ? new StoreUnavailableError(err) : err;
      }
    };
  }
  return out as R;
}

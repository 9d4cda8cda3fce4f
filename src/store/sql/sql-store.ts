// The Store contract over Kysely, composed of one repository per table
// (repos/). Engine adapters (../sqlite.ts, ../postgres.ts) supply the connection
// and the way their driver reports unique violations.
import { Migrator, type Kysely } from 'kysely';
import { DuplicateError, type Store } from '../types.js';
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

export interface EngineAdapter {
  engine: Engine;
  db: Kysely<Tables>;
  isUniqueViolation(err: unknown): boolean;
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
    users: usersRepo(repo),
    sessions: familiesRepo(repo),
    oneshot: oneshotRepo(repo),
    settings: settingsRepo(repo),
    audit: auditRepo(repo),
    orgs: orgsRepo(repo),
    apiKeys: apiKeysRepo(repo),
    moonrakerKeys: moonrakerKeysRepo(repo),
    webSessions: webSessionsRepo(repo),
    sessionClients: sessionClientsRepo(repo),
    loginAttempts: loginAttemptsRepo(repo),
  };
}

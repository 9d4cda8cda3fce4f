// Versioned schema migrations, applied in order at start-up by Kysely's Migrator.
// Written with the schema builder so the same steps run on SQLite and PostgreSQL;
// `id` differs per engine and is passed in.
import type { CreateTableBuilder, Kysely, Migration, MigrationProvider } from 'kysely';
import { sessionClientsMigration } from './migration-session-clients.js';

export type Engine = 'sqlite' | 'postgres';

/** Adds the auto-increment primary key `id`, spelled as each engine wants it. */
function idColumn(engine: Engine) {
  return <T extends string>(t: CreateTableBuilder<T, never>) =>
    engine === 'postgres'
      ? t.addColumn('id', 'bigserial', (c) => c.primaryKey())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

type WithId = ReturnType<typeof idColumn>;

/** 0001: accounts, their login families, oneshot tokens, settings and the audit log. */
async function coreTables(db: Kysely<any>, withId: WithId) {
  await withId(db.schema.createTable('users'))
    .addColumn('uid', 'text', (c) => c.notNull().unique())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('email', 'text', (c) => c.unique())
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('password_hash', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_service_account', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('org_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createTable('token_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('refresh_jti', 'text')
    .execute();
  await db.schema.createIndex('token_sessions_user').on('token_sessions').column('user_id').execute();
  await db.schema.createTable('oneshot_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint')
    .addColumn('identity_kind', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  await withId(db.schema.createTable('audit_log'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('username', 'text')
    .addColumn('ip', 'text')
    .addColumn('detail', 'text')
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
}

/** 0001: orgs and memberships, API keys, browser sessions, login attempts. */
async function grafanaTables(db: Kysely<any>, withId: WithId) {
  await withId(db.schema.createTable('orgs'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createTable('org_users')
    .addColumn('org_id', 'bigint', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('org_users_pk', ['org_id', 'user_id'])
    .execute();
  await db.schema.createIndex('org_users_user').on('org_users').column('user_id').execute();
  await withId(db.schema.createTable('api_keys'))
    .addColumn('org_id', 'bigint', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('hash_kind', 'text', (c) => c.notNull())
    .addColumn('service_account_id', 'bigint', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('expires_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('is_revoked', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('api_keys_org_name', ['org_id', 'name'])
    .execute();
  await withId(db.schema.createTable('web_sessions'))
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prev_token_hash', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('rotated_at', 'bigint', (c) => c.notNull())
    .addColumn('seen_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('web_sessions_prev').on('web_sessions').column('prev_token_hash').execute();
  await withId(db.schema.createTable('login_attempts'))
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_attempts_user').on('login_attempts').columns(['username', 'at']).execute();
  await db.schema.createIndex('login_attempts_ip').on('login_attempts').columns(['ip', 'at']).execute();
}

/** 0002 (issue 20): every user's Moonraker scope (existing accounts: admin, as before), and named Moonraker API keys. */
async function scopesAndKeys(db: Kysely<any>, withId: WithId) {
  await db.schema.alterTable('users').addColumn('scope', 'text', (c) => c.notNull().defaultTo('admin')).execute();
  await withId(db.schema.createTable('moonraker_keys'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .execute();
}

function migrations(engine: Engine): Record<string, Migration> {
  const withId = idColumn(engine);
  return {
    '0001_core': {
      async up(db: Kysely<any>) {
        await coreTables(db, withId);
        await grafanaTables(db, withId);
      },
    },
    '0002_session_clients': sessionClientsMigration(withId),
    '0003_moonraker_scopes': { up: (db: Kysely<any>) => scopesAndKeys(db, withId) },
  };
}

export function migrationProvider(engine: Engine): MigrationProvider {
  return { getMigrations: async () => migrations(engine) };
}

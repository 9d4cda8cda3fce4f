// 0002: where each login came from (issue 22: GET /api/user/auth-tokens and the
// CLI's `user sessions`). One row per browser session or Moonraker login family,
// whose auto-increment id is the numeric id both kinds are listed and revoked by.
import type { CreateTableBuilder, Kysely, Migration } from 'kysely';

type WithId = <T extends string>(t: CreateTableBuilder<T, never>) => CreateTableBuilder<T, 'id'>;

export function sessionClientsMigration(withId: WithId): Migration {
  return {
    async up(db: Kysely<any>) {
      await withId(db.schema.createTable('session_clients'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('ref', 'text', (c) => c.notNull())
        .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('user_agent', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('session_clients_ref', ['kind', 'ref'])
        .execute();
      await db.schema.createIndex('session_clients_user').on('session_clients').column('user_id').execute();
    },
  };
}

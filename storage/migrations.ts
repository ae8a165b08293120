/**
 * Versioned schema migrations, applied in name order. Never edit one that
 * has shipped: add the next. Column types are chosen to mean the same in
 * SQLite and PostgreSQL.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const migrations: Record<string, Migration> = {
  '001_bot_state_transcripts_feedback': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('bot_state')
        .addColumn('key', 'varchar(1024)', (c) => c.primaryKey())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('etag', 'varchar(64)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('transcripts')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('conversation_id', 'varchar(256)', (c) => c.notNull())
        .addColumn('channel', 'varchar(64)', (c) => c.notNull())
        .addColumn('role', 'varchar(8)', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('entry_id', 'varchar(128)')
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('transcripts_conversation')
        .on('transcripts')
        .columns(['conversation_id', 'id'])
        .execute();
      await db.schema
        .createTable('feedback')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('conversation_id', 'varchar(256)', (c) => c.notNull())
        .addColumn('entry_id', 'varchar(128)')
        .addColumn('helpful', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await sql`select 1`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('feedback').execute();
      await db.schema.dropTable('transcripts').execute();
      await db.schema.dropTable('bot_state').execute();
    },
  },
};

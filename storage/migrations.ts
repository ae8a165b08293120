/**
 * Versioned schema migrations, applied in name order. Never edit one that
 * has shipped: add the next. Column types are chosen to mean the same in
 * SQLite and PostgreSQL; where the two need different words (an
 * auto-numbered key) a helper below picks them, so that the SQLite DDL stays
 * exactly what it always was.
 */
import { PostgresAdapter, type ColumnDefinitionBuilder, type Kysely, type Migration } from 'kysely';

type ColumnType = 'integer' | 'serial';

/**
 * An auto-numbered integer primary key: `integer primary key autoincrement`
 * on SQLite, `serial primary key` on PostgreSQL.
 */
function autoId(db: Kysely<unknown>): [ColumnType, (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder] {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? ['serial', (c) => c.primaryKey()]
    : ['integer', (c) => c.primaryKey().autoIncrement()];
}

/** The votes table of 001, dropped by 008 (and made again by its `down`). */
async function createFeedbackTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('feedback')
    .addColumn('id', ...autoId(db))
    .addColumn('conversation_id', 'varchar(256)', (c) => c.notNull())
    .addColumn('entry_id', 'varchar(128)')
    .addColumn('helpful', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
}

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
        .addColumn('id', ...autoId(db))
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
      await createFeedbackTable(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('feedback').execute();
      await db.schema.dropTable('transcripts').execute();
      await db.schema.dropTable('bot_state').execute();
    },
  },
  '002_webchat_settings': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('settings')
        .addColumn('key', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('webchat_conversations')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('started', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('webchat_activities')
        .addColumn('conversation_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('activity', 'text', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addPrimaryKeyConstraint('webchat_activities_pk', ['conversation_id', 'seq'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('webchat_activities').execute();
      await db.schema.dropTable('webchat_conversations').execute();
      await db.schema.dropTable('settings').execute();
    },
  },
  '003_zalo': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('zalo_tokens')
        .addColumn('oa', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('access_token', 'text', (c) => c.notNull())
        .addColumn('refresh_token', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('zalo_events')
        .addColumn('event_key', 'varchar(256)', (c) => c.primaryKey())
        .addColumn('received_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('zalo_users')
        .addColumn('user_id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('unfollowed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('zalo_outbox')
        .addColumn('id', ...autoId(db))
        .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('retryable', 'integer', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('zalo_outbox_pending')
        .on('zalo_outbox')
        .columns(['status', 'user_id'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const t of ['zalo_outbox', 'zalo_users', 'zalo_events', 'zalo_tokens'])
        await db.schema.dropTable(t).execute();
    },
  },
  '004_hotline': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('hotline_agents')
        .addColumn('id', ...autoId(db))
        .addColumn('username', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('name', 'varchar(128)', (c) => c.notNull())
        .addColumn('password_hash', 'varchar(128)', (c) => c.notNull())
        .addColumn('role', 'varchar(16)', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('hotline_sessions')
        .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('agent_id', 'integer', (c) => c.notNull())
        .addColumn('csrf', 'varchar(64)', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ticket_counters')
        .addColumn('day', 'varchar(8)', (c) => c.primaryKey())
        .addColumn('n', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('tickets')
        .addColumn('id', ...autoId(db))
        .addColumn('code', 'varchar(32)', (c) => c.notNull().unique())
        .addColumn('channel', 'varchar(64)', (c) => c.notNull())
        .addColumn('conversation_id', 'varchar(256)', (c) => c.notNull())
        .addColumn('reference', 'text', (c) => c.notNull())
        .addColumn('language', 'varchar(4)', (c) => c.notNull())
        .addColumn('reason', 'varchar(16)', (c) => c.notNull())
        .addColumn('mode', 'varchar(16)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('agent_id', 'integer')
        .addColumn('callback_phone', 'varchar(32)')
        .addColumn('category', 'varchar(64)')
        .addColumn('note', 'text')
        .addColumn('rating', 'integer')
        .addColumn('rating_asked', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('claimed_at', 'varchar(32)')
        .addColumn('first_reply_at', 'varchar(32)')
        .addColumn('resolved_at', 'varchar(32)')
        .execute();
      await db.schema.createIndex('tickets_status').on('tickets').columns(['status', 'id']).execute();
      await db.schema
        .createIndex('tickets_conversation')
        .on('tickets')
        .columns(['conversation_id', 'id'])
        .execute();
      await db.schema
        .createTable('ticket_messages')
        .addColumn('id', ...autoId(db))
        .addColumn('ticket_id', 'integer', (c) => c.notNull())
        .addColumn('role', 'varchar(16)', (c) => c.notNull())
        .addColumn('agent_id', 'integer')
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('ticket_messages_ticket')
        .on('ticket_messages')
        .columns(['ticket_id', 'id'])
        .execute();
      await db.schema
        .createTable('hotline_audit')
        .addColumn('id', ...autoId(db))
        .addColumn('agent_id', 'integer')
        .addColumn('action', 'varchar(32)', (c) => c.notNull())
        .addColumn('ticket_code', 'varchar(32)')
        .addColumn('detail', 'text')
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const t of [
        'hotline_audit',
        'ticket_messages',
        'tickets',
        'ticket_counters',
        'hotline_sessions',
        'hotline_agents',
      ])
        await db.schema.dropTable(t).execute();
    },
  },
  '005_zalo_event_progress': {
    // A Zalo event is recorded as received (with its body) before it is processed and marked
    // done after, so that one cut short by a crash is finished later. Rows from before this
    // migration were processed: they are done.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('zalo_events').addColumn('payload', 'text').execute();
      await db.schema
        .alterTable('zalo_events')
        .addColumn('done', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      await db.schema.alterTable('zalo_events').addColumn('claimed_at', 'varchar(32)').execute();
      await db.schema.createIndex('zalo_events_unfinished').on('zalo_events').columns(['done']).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('zalo_events_unfinished').execute();
      for (const c of ['claimed_at', 'done', 'payload'])
        await db.schema.alterTable('zalo_events').dropColumn(c).execute();
    },
  },
  '006_throttles': {
    // Throttle counts shared by every replica (web-chat rate limits, console login failures).
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('throttle_windows')
        .addColumn('key', 'varchar(512)', (c) => c.notNull())
        .addColumn('window_start', 'bigint', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('throttle_windows_pk', ['key', 'window_start'])
        .execute();
      await db.schema
        .createTable('throttle_events')
        .addColumn('key', 'varchar(512)', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('throttle_events_key')
        .on('throttle_events')
        .columns(['key', 'at'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('throttle_events').execute();
      await db.schema.dropTable('throttle_windows').execute();
    },
  },
  '007_turn_outcomes_kb_examples': {
    // What each citizen message came to (for the supervisor's dashboard and inbox of unanswered
    // questions), and the example questions supervisors add to the knowledge base from it.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('turn_outcomes')
        .addColumn('id', ...autoId(db))
        .addColumn('channel', 'varchar(64)', (c) => c.notNull())
        .addColumn('conversation_id', 'varchar(256)', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('day', 'varchar(10)', (c) => c.notNull())
        .addColumn('hour', 'integer', (c) => c.notNull())
        .addColumn('outcome', 'varchar(16)', (c) => c.notNull())
        .addColumn('text', 'text')
        .addColumn('entry_id', 'varchar(128)')
        .addColumn('candidates', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('helpful', 'integer')
        .addColumn('reviewed', 'varchar(16)')
        .execute();
      await db.schema
        .createIndex('turn_outcomes_day')
        .on('turn_outcomes')
        .columns(['day', 'outcome'])
        .execute();
      await db.schema
        .createIndex('turn_outcomes_conversation')
        .on('turn_outcomes')
        .columns(['conversation_id', 'id'])
        .execute();
      await db.schema
        .createIndex('turn_outcomes_created')
        .on('turn_outcomes')
        .columns(['created_at'])
        .execute();
      await db.schema
        .createTable('kb_examples')
        .addColumn('id', ...autoId(db))
        .addColumn('entry_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('agent_id', 'integer')
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('kb_examples_status')
        .on('kb_examples')
        .columns(['status', 'entry_id'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('kb_examples').execute();
      await db.schema.dropTable('turn_outcomes').execute();
    },
  },
  '008_drop_feedback': {
    // "Helpful / not helpful" is kept on the message's outcome (turn_outcomes.helpful), which the
    // supervisor's dashboard reads; this table of the same votes was written and never read.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('feedback').ifExists().execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await createFeedbackTable(db);
    },
  },
};

/**
 * The project's database layer: one Kysely query layer over SQLite (the
 * embedded default, a file under data/) or PostgreSQL (for many replicas),
 * with versioned migrations run at start.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  SqliteDialect,
  type Generated,
  type Migration,
  type MigrationProvider,
} from 'kysely';
import { migrations } from './migrations';

export interface BotStateTable {
  key: string;
  data: string;
  etag: string;
  updated_at: string;
}

export interface TranscriptTable {
  id: Generated<number>;
  conversation_id: string;
  channel: string;
  role: 'user' | 'bot';
  text: string;
  entry_id: string | null;
  created_at: string;
}

export interface FeedbackTable {
  id: Generated<number>;
  conversation_id: string;
  entry_id: string | null;
  helpful: number;
  created_at: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface WebchatConversationTable {
  id: string;
  user_id: string;
  started: number;
  created_at: string;
}

export interface WebchatActivityTable {
  conversation_id: string;
  seq: number;
  activity: string;
  created_at: string;
}

export interface ZaloTokenTable {
  oa: string;
  access_token: string;
  refresh_token: string;
  expires_at: number;
  updated_at: string;
}

export interface ZaloEventTable {
  event_key: string;
  received_at: string;
}

export interface ZaloUserTable {
  user_id: string;
  unfollowed: number;
  updated_at: string;
}

export interface ZaloOutboxTable {
  id: Generated<number>;
  user_id: string;
  body: string;
  reason: string;
  retryable: number;
  attempts: number;
  /** pending (will be retried), delivered, dead (cannot succeed). */
  status: string;
  created_at: string;
  updated_at: string;
}

export interface HotlineAgentTable {
  id: Generated<number>;
  username: string;
  name: string;
  password_hash: string;
  /** agent or supervisor. */
  role: string;
  disabled: Generated<number>;
  created_at: string;
}

export interface HotlineSessionTable {
  /** sha256 of the session cookie: a stolen database does not hold live sessions. */
  id_hash: string;
  agent_id: number;
  csrf: string;
  expires_at: number;
  created_at: string;
}

export interface TicketCounterTable {
  day: string;
  n: number;
}

export interface TicketTable {
  id: Generated<number>;
  /** 1022-YYYYMMDD-NNNN, the code the citizen quotes. */
  code: string;
  channel: string;
  conversation_id: string;
  /** The Bot Framework conversation reference (JSON) for continueConversation. */
  reference: string;
  language: string;
  /** asked, complaint, misses, unhelpful. */
  reason: string;
  /** live (relay now) or callback (outside hours: a call back later). */
  mode: string;
  /** waiting, claimed, resolved, cancelled. */
  status: string;
  subject: string;
  agent_id: number | null;
  callback_phone: string | null;
  category: string | null;
  note: string | null;
  rating: number | null;
  rating_asked: Generated<number>;
  created_at: string;
  claimed_at: string | null;
  first_reply_at: string | null;
  resolved_at: string | null;
}

export interface TicketMessageTable {
  id: Generated<number>;
  ticket_id: number;
  /** citizen, agent, system. */
  role: string;
  agent_id: number | null;
  text: string;
  created_at: string;
}

export interface HotlineAuditTable {
  id: Generated<number>;
  agent_id: number | null;
  action: string;
  ticket_code: string | null;
  detail: string | null;
  created_at: string;
}

export interface Tables {
  bot_state: BotStateTable;
  transcripts: TranscriptTable;
  feedback: FeedbackTable;
  settings: SettingsTable;
  webchat_conversations: WebchatConversationTable;
  webchat_activities: WebchatActivityTable;
  zalo_tokens: ZaloTokenTable;
  zalo_events: ZaloEventTable;
  zalo_users: ZaloUserTable;
  zalo_outbox: ZaloOutboxTable;
  hotline_agents: HotlineAgentTable;
  hotline_sessions: HotlineSessionTable;
  ticket_counters: TicketCounterTable;
  tickets: TicketTable;
  ticket_messages: TicketMessageTable;
  hotline_audit: HotlineAuditTable;
}

export type Database = Kysely<Tables>;

export interface DatabaseConfig {
  /** SQLite file path, or ':memory:'. */
  sqliteFile: string;
}

/** Open the database and bring its schema up to date. */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.sqliteFile !== ':memory:') mkdirSync(dirname(config.sqliteFile), { recursive: true });
  const sqlite = new SQLite(config.sqliteFile);
  // WAL lets readers work while a write is in progress; the busy timeout rides out short locks.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  // In WAL mode NORMAL is durable across a crash of the process; only a power cut can
  // lose the last transactions. FULL would fsync on every write, on the event loop.
  sqlite.pragma('synchronous = NORMAL');
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(db);
  return db;
}

class InCodeMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

/** Run every migration not yet applied; throws with the failing migration's name. */
export async function migrate(db: Database): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new InCodeMigrations() });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(
      `database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? error}`,
    );
  }
  return (results ?? []).map((r) => r.migrationName);
}

/**
 * The project's database layer: one Kysely query layer over SQLite (the
 * embedded default, a file under data/) or PostgreSQL (for many replicas,
 * `DATABASE_URL=postgres://…`), with versioned migrations run at start.
 *
 * Code that needs a dialect-specific statement asks `dialectOf(db)`; every
 * other query is written once and means the same on both.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  type Generated,
  type Migration,
  type MigrationProvider,
} from 'kysely';
import pg from 'pg';
import { GroupCommitSqliteDialect } from './groupCommit';
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
  /** The event's JSON while it is not done (cleared when done). */
  payload: string | null;
  /** 0 from receipt until its processing finished, then 1. */
  done: Generated<number>;
  /** When a process last took the event for processing (its lease starts then). */
  claimed_at: string | null;
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

export interface ThrottleWindowTable {
  key: string;
  window_start: number;
  count: number;
}

export interface ThrottleEventTable {
  key: string;
  at: number;
}

/** One citizen message and what the bot made of it (the supervisor's dashboard and inbox). */
export interface TurnOutcomeTable {
  id: Generated<number>;
  /** The Bot Framework channel id: `zalo`, `directline` (this server's web chat), or another. */
  channel: string;
  conversation_id: string;
  created_at: string;
  /** The calendar day and hour in the hotline's time zone (HOTLINE_TIMEZONE), YYYY-MM-DD and 0–23. */
  day: string;
  hour: number;
  /** answered, clarified, notFound, declined, handedOff, emergency or other. */
  outcome: string;
  /** The message, personal data masked; null for `other` turns (lessons, menus, hand-off talk). */
  text: string | null;
  /** The entry answered from. */
  entry_id: string | null;
  /** JSON array of the entry ids the assistant considered, best first. */
  candidates: Generated<string>;
  /** 0 when the citizen pressed "Chưa hữu ích" on this answer, 1 for "Hữu ích". */
  helpful: number | null;
  /** What a supervisor decided in the inbox: example, draft or outside. */
  reviewed: string | null;
}

/** An example question a supervisor added to an entry (`example`) or to a draft of a new one (`draft`). */
export interface KbExampleTable {
  id: Generated<number>;
  entry_id: string;
  text: string;
  status: string;
  agent_id: number | null;
  created_at: string;
}

export interface Tables {
  bot_state: BotStateTable;
  transcripts: TranscriptTable;
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
  throttle_windows: ThrottleWindowTable;
  throttle_events: ThrottleEventTable;
  turn_outcomes: TurnOutcomeTable;
  kb_examples: KbExampleTable;
}

export type Database = Kysely<Tables>;

export type DialectName = 'sqlite' | 'postgres';

/** Where the log lines of the database layer go (the bot's Logger fits). */
export interface StorageLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface SqliteConfig {
  /** SQLite file path, or ':memory:'. */
  sqliteFile: string;
}

export interface PostgresConfig {
  /** postgres://user:password@host:port/database (or postgresql://). */
  postgresUrl: string;
  /** Most connections this process opens (DATABASE_POOL_SIZE); default 10. */
  poolSize?: number;
  /** How long to wait for a connection before failing, ms; default 5000. */
  connectTimeoutMs?: number;
  /** Where a dropped connection is reported (it never crashes the process). */
  log?: StorageLog;
}

export type DatabaseConfig = SqliteConfig | PostgresConfig;

/** The database could not be reached or prepared at start. */
export class DatabaseUnavailableError extends Error {}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** The database a configuration points at, with any password hidden, for log lines and errors. */
export function describeDatabase(config: DatabaseConfig): string {
  if ('sqliteFile' in config) return `sqlite:${config.sqliteFile}`;
  try {
    const u = new URL(config.postgresUrl);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

/** Which dialect a database (or a transaction on it, or a migration's handle) speaks. */
export function dialectOf(db: Kysely<unknown> | Kysely<Tables>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** A primary-key or unique-constraint violation, on either database. */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Network errors, and PostgreSQL's "connection" (08), "operator intervention" (57P) and "too many connections" codes. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  '53300',
  '57P01',
  '57P02',
  '57P03',
  'SQLITE_BUSY',
  'SQLITE_IOERR',
]);

/** The database is down or unreachable (as opposed to a bad query): answer 503 and try again later. */
export function isDatabaseUnavailable(e: unknown): boolean {
  if (e instanceof AggregateError) return e.errors.some(isDatabaseUnavailable);
  const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(
      message,
    )
  );
}

const INT8_OID = 20;

/**
 * PostgreSQL answers bigint (int8, e.g. count(*) and the token expiry in ms)
 * as strings, since they may exceed 2^53; every bigint here is a count or a
 * millisecond time, so it comes back as a number, as on SQLite.
 */
const pgTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** Connection settings shared by the pool and the bus's listening connection. */
export function pgClientConfig(config: PostgresConfig): pg.ClientConfig {
  return {
    connectionString: config.postgresUrl,
    connectionTimeoutMillis: config.connectTimeoutMs ?? 5000,
    // Notice a peer that vanished without closing the connection (a network cut).
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    application_name: 'tro-ly-ao-dich-vu-cong',
    types: pgTypes,
  };
}

/**
 * Kysely's SQLite driver prepares every query it runs; preparing costs more
 * than running these small statements. The same SQL text (parameters are
 * bound, never inlined) gets the statement prepared the first time. Safe
 * because better-sqlite3 runs a statement to completion synchronously
 * (nothing here iterates one lazily), and SQLite re-prepares a statement
 * itself after a schema change.
 */
function cachePreparedStatements(sqlite: SQLite.Database, limit = 256): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, SQLite.Statement>();
  sqlite.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (statement === undefined) {
      statement = prepare(source);
      if (cache.size >= limit) cache.delete(cache.keys().next().value as string);
      cache.set(source, statement);
    }
    return statement;
  }) as typeof sqlite.prepare;
}

function openSqlite(config: SqliteConfig): Database {
  if (config.sqliteFile !== ':memory:') mkdirSync(dirname(config.sqliteFile), { recursive: true });
  const sqlite = new SQLite(config.sqliteFile);
  // WAL lets readers work while a write is in progress; the busy timeout rides out short locks.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  // Deleted rows (retention, a finished Zalo event's body) are overwritten with zeros, not
  // left readable in free pages.
  sqlite.pragma('secure_delete = ON');
  // In WAL mode NORMAL is durable across a crash of the process; only a power cut can
  // lose the last transactions. FULL would fsync on every write, on the event loop.
  sqlite.pragma('synchronous = NORMAL');
  cachePreparedStatements(sqlite);
  return new Kysely<Tables>({ dialect: new GroupCommitSqliteDialect({ database: sqlite }) });
}

function openPostgres(config: PostgresConfig): Database {
  const pool = new pg.Pool({
    ...pgClientConfig(config),
    max: config.poolSize ?? 10,
    idleTimeoutMillis: 30_000,
  });
  // A connection that drops while idle in the pool is reported on the pool: without a
  // listener Node would crash the process. The pool discards it and opens a new one
  // when next asked; meanwhile queries fail (and /readyz answers 503).
  pool.on('error', (e) => config.log?.warn('database connection lost', { error: e.message }));
  // A connection can also drop while checked out between two queries (inside a
  // transaction): its own 'error' event needs a listener too. The query in progress
  // fails, and the pool does not take the broken connection back.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Open the database and bring its schema up to date. Throws
 * DatabaseUnavailableError, naming the database (password hidden), when it
 * cannot be reached or migrated.
 */
export async function openDatabase(
  config: DatabaseConfig,
  /** Tables of the enabled parts (core/part.ts), applied in name order with the project's own. */
  extra: Record<string, Migration> = {},
): Promise<Database> {
  let db: Database | undefined;
  try {
    db = 'sqliteFile' in config ? openSqlite(config) : openPostgres(config);
    await migrate(db, extra);
    return db;
  } catch (e) {
    await db?.destroy().catch(() => undefined);
    throw new DatabaseUnavailableError(
      `database ${describeDatabase(config)} unavailable: ${(e as Error).message || String(e)}`,
    );
  }
}

class InCodeMigrations implements MigrationProvider {
  constructor(private readonly extra: Record<string, Migration>) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...migrations, ...this.extra };
  }
}

/**
 * Run every migration not yet applied; throws with the failing migration's
 * name. Safe when several replicas start at once: on PostgreSQL Kysely's
 * Migrator holds a session advisory lock (pg_advisory_lock) while it reads
 * what was applied and runs the rest in one transaction, so the others wait
 * and then find nothing to do; SQLite has a single writer.
 */
export async function migrate(db: Database, extra: Record<string, Migration> = {}): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new InCodeMigrations(extra) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    const message = error instanceof Error ? error.message || String(error) : String(error);
    const aggregate = error instanceof AggregateError ? error.errors.map((x) => String(x)).join('; ') : '';
    // No migration failed: the database could not be reached or the bookkeeping tables not made.
    throw new Error(failed ? `migration ${failed.migrationName} failed: ${message}` : message || aggregate);
  }
  return (results ?? []).map((r) => r.migrationName);
}

/**
 * The migrations: the SQLite schema is exactly what it always was, the
 * PostgreSQL schema has the same tables, columns and keys, and replicas that
 * start together migrate once (Kysely's Migrator takes a PostgreSQL
 * advisory lock).
 */
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { migrate, openDatabase, type Database, type Tables } from '../../../storage/database';
import { migrations } from '../../../storage/migrations';
import { createTestDatabase, type TestDatabase } from '../../support/postgres';

/** The DDL the migrations produced on SQLite before PostgreSQL support; it must not change. */
const SQLITE_DDL = `-- 001_bot_state_transcripts_feedback
create table "bot_state" ("key" varchar(1024) primary key, "data" text not null, "etag" varchar(64) not null, "updated_at" varchar(32) not null)
create table "transcripts" ("id" integer primary key autoincrement, "conversation_id" varchar(256) not null, "channel" varchar(64) not null, "role" varchar(8) not null, "text" text not null, "entry_id" varchar(128), "created_at" varchar(32) not null)
create index "transcripts_conversation" on "transcripts" ("conversation_id", "id")
create table "feedback" ("id" integer primary key autoincrement, "conversation_id" varchar(256) not null, "entry_id" varchar(128), "helpful" integer not null, "created_at" varchar(32) not null)
-- 002_webchat_settings
create table "settings" ("key" varchar(128) primary key, "value" text not null)
create table "webchat_conversations" ("id" varchar(64) primary key, "user_id" varchar(64) not null, "started" integer default 0 not null, "created_at" varchar(32) not null)
create table "webchat_activities" ("conversation_id" varchar(64) not null, "seq" integer not null, "activity" text not null, "created_at" varchar(32) not null, constraint "webchat_activities_pk" primary key ("conversation_id", "seq"))
-- 003_zalo
create table "zalo_tokens" ("oa" varchar(64) primary key, "access_token" text not null, "refresh_token" text not null, "expires_at" bigint not null, "updated_at" varchar(32) not null)
create table "zalo_events" ("event_key" varchar(256) primary key, "received_at" varchar(32) not null)
create table "zalo_users" ("user_id" varchar(64) primary key, "unfollowed" integer default 0 not null, "updated_at" varchar(32) not null)
create table "zalo_outbox" ("id" integer primary key autoincrement, "user_id" varchar(64) not null, "body" text not null, "reason" text not null, "retryable" integer not null, "attempts" integer default 0 not null, "status" varchar(16) not null, "created_at" varchar(32) not null, "updated_at" varchar(32) not null)
create index "zalo_outbox_pending" on "zalo_outbox" ("status", "user_id")`;

const made: TestDatabase[] = [];
const opened: Database[] = [];
afterAll(async () => {
  await Promise.all(opened.map((d) => d.destroy()));
  await Promise.all(made.map((d) => d.drop()));
});

async function freshPostgres(): Promise<string> {
  const d = await createTestDatabase('migrations');
  made.push(d);
  return d.url;
}

it('leaves the SQLite DDL exactly as it was', async () => {
  const out: string[] = [];
  const db = new Kysely<unknown>({
    dialect: new SqliteDialect({ database: new SQLite(':memory:') }),
    log: (e) => void (e.level === 'query' && out.push(e.query.sql)),
  });
  // The migrations that shipped before PostgreSQL support (later ones were written for both).
  for (const [name, m] of Object.entries(migrations).filter(([n]) => n < '004')) {
    out.push(`-- ${name}`);
    await m.up(db);
  }
  await db.destroy();
  expect(out.join('\n')).toBe(SQLITE_DDL);
});

interface Shape {
  tables: Record<
    string,
    Array<{ name: string; type: string; nullable: boolean; default: boolean; auto: boolean }>
  >;
  primaryKeys: Record<string, string[]>;
  indexes: Record<string, string[]>;
}

/** Type names as each database reports them, reduced to one vocabulary. */
const TYPE: Record<string, string> = { int4: 'integer', int8: 'bigint', text: 'text', varchar: 'varchar' };
const typeOf = (t: string): string => TYPE[t.toLowerCase().replace(/\(.*$/, '')] ?? t.toLowerCase();

async function shapeOf(db: Database, dialect: 'sqlite' | 'postgres'): Promise<Shape> {
  const tables = await db.introspection.getTables();
  const shape: Shape = { tables: {}, primaryKeys: {}, indexes: {} };
  for (const t of tables.sort((a, b) => a.name.localeCompare(b.name))) {
    shape.tables[t.name] = t.columns.map((c) => ({
      name: c.name,
      type: typeOf(c.dataType),
      nullable: c.isNullable,
      default: c.hasDefaultValue && !c.isAutoIncrementing,
      auto: c.isAutoIncrementing,
    }));
    if (dialect === 'sqlite') {
      const cols = await sql<{
        name: string;
        pk: number;
      }>`select name, pk from pragma_table_info(${t.name})`.execute(db);
      shape.primaryKeys[t.name] = cols.rows
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name);
      const idx = await sql<{
        name: string;
        origin: string;
      }>`select name, origin from pragma_index_list(${t.name})`.execute(db);
      shape.indexes[t.name] = idx.rows
        .filter((i) => i.origin === 'c')
        .map((i) => i.name)
        .sort();
    } else {
      const cols = await sql<{ name: string }>`
        select a.attname as name from pg_index i
        join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
        where i.indrelid = ${t.name}::regclass and i.indisprimary
        order by array_position(i.indkey, a.attnum)`.execute(db);
      shape.primaryKeys[t.name] = cols.rows.map((c) => c.name);
      const idx = await sql<{ name: string }>`
        select c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid
        where i.indrelid = ${t.name}::regclass and not i.indisprimary
          and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)`.execute(db);
      shape.indexes[t.name] = idx.rows.map((i) => i.name).sort();
    }
  }
  return shape;
}

it('gives PostgreSQL the same tables, columns, keys and indexes as SQLite', async () => {
  const lite = await openDatabase({ sqliteFile: ':memory:' });
  const post = await openDatabase({ postgresUrl: await freshPostgres() });
  opened.push(lite, post);
  const a = await shapeOf(lite, 'sqlite');
  const b = await shapeOf(post, 'postgres');
  // The one difference, and SQLite's own: a primary key that is not INTEGER PRIMARY KEY
  // accepts NULL there (a legacy quirk the SQLite documentation describes), while PostgreSQL
  // makes every key column NOT NULL. No code inserts a NULL key; the shipped SQLite DDL
  // stays as it is, so the comparison counts key columns as not null on both.
  for (const [table, keys] of Object.entries(a.primaryKeys))
    for (const c of a.tables[table] ?? []) if (keys.includes(c.name)) c.nullable = false;
  expect(Object.keys(b.tables)).toEqual(Object.keys(a.tables));
  expect(b).toEqual(a);
  expect(a.tables.transcripts?.[0]).toEqual({
    name: 'id',
    type: 'integer',
    nullable: false,
    default: false,
    auto: true,
  });
});

it('migrates once when four replicas start at the same moment', async () => {
  const url = await freshPostgres();
  // Four handles, each with its own pool, not yet migrated (openDatabase would migrate one by one).
  const dbs = Array.from({ length: 4 }, () => {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    // Dropping the database at the end ends connections that are still closing.
    pool.on('error', () => undefined);
    return new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  });
  opened.push(...dbs);
  const results = await Promise.all(dbs.map((db) => migrate(db)));
  // Exactly one replica applied each migration; the others found nothing to do.
  expect(results.flat().sort()).toEqual(Object.keys(migrations).sort());
  expect(results.filter((r) => r.length > 0)).toHaveLength(1);
  const applied = await sql<{ n: string }>`select count(*)::int as n from kysely_migration`.execute(dbs[0]!);
  expect(Number(applied.rows[0]?.n)).toBe(Object.keys(migrations).length);
});

it('waits for the migration lock that another replica holds', async () => {
  const url = await freshPostgres();
  // Another replica is migrating: it holds Kysely's advisory lock.
  const holder = new pg.Client({ connectionString: url });
  await holder.connect();
  await holder.query('select pg_advisory_lock(3853314791062309107)');
  let done = false;
  const opening = openDatabase({ postgresUrl: url }).then((db) => {
    done = true;
    opened.push(db);
    return db;
  });
  await new Promise((r) => setTimeout(r, 700));
  expect(done).toBe(false);
  const waiting = await holder.query(
    `select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`,
  );
  expect(waiting.rows[0].n).toBe(1);
  await holder.query('select pg_advisory_unlock(3853314791062309107)');
  await holder.end();
  const db = await opening;
  expect(await migrate(db)).toEqual([]);
});

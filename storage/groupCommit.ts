/**
 * Group commit for SQLite: the inserts, updates and deletes that many turns
 * make outside a transaction (two transcript lines, the conversation's
 * state, the outcome, the web chat's activities) are committed together
 * once per turn of the event loop instead of one commit each.
 *
 * Why: with WAL and `synchronous = NORMAL` a statement costs a few
 * microseconds but its commit (WAL frames for the table and each index)
 * about forty; a turn made four to six of them. Nothing is promised
 * earlier than before: a write's promise settles only after the commit that
 * holds it, so whoever awaited a write still finds it after a crash.
 *
 * - A write joins the open group (BEGIN on the first one); the group
 *   commits in `setImmediate`, then every write in it resolves.
 * - A statement that fails rejects alone: SQLite undoes that statement and
 *   the group goes on. An error that ends the transaction itself (disk full)
 *   rejects every write of the group.
 * - An explicit transaction (`db.transaction()`), or a statement Kysely did
 *   not build as a DML query (DDL, PRAGMA, raw SQL), first commits the open
 *   group, then runs as before. Reads run at once, and see the group's writes.
 */
import type SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type SqliteDialectConfig,
  type TransactionSettings,
} from 'kysely';

/** The kinds of query built by Kysely that may join a group. */
const GROUPED = new Set(['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode']);

interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
}

/** The open group on one SQLite handle. */
class Group {
  private waiters: Waiter[] = [];
  private open = false;
  /** Groups committed so far (for tests and benchmarks). */
  commits = 0;

  constructor(private readonly sqlite: SQLite.Database) {}

  /** Run `write` in the open group; settles when the group commits. */
  join<T>(write: () => T): Promise<T> {
    if (!this.open) {
      this.sqlite.exec('BEGIN');
      this.open = true;
      setImmediate(() => this.commit());
    }
    let result: T;
    try {
      result = write();
    } catch (e) {
      // An error such as SQLITE_FULL ends the transaction: the group's earlier writes are gone too.
      if (!this.sqlite.inTransaction) this.fail(e as Error);
      return Promise.reject(e as Error);
    }
    return new Promise<T>((resolve, reject) => this.waiters.push({ resolve: () => resolve(result), reject }));
  }

  /** Commit the open group now (before an explicit transaction or a non-DML statement). */
  commit(): void {
    if (!this.open) return;
    const waiters = this.close();
    try {
      this.sqlite.exec('COMMIT');
    } catch (e) {
      if (this.sqlite.inTransaction) this.sqlite.exec('ROLLBACK');
      for (const w of waiters) w.reject(e as Error);
      return;
    }
    this.commits++;
    for (const w of waiters) w.resolve();
  }

  private fail(e: Error): void {
    for (const w of this.close()) w.reject(e);
  }

  /** End the open group: its writes' waiters, for the caller to settle. */
  private close(): Waiter[] {
    const waiters = this.waiters;
    this.waiters = [];
    this.open = false;
    return waiters;
  }
}

/**
 * The one SQLite handle, lent to every caller at once: better-sqlite3 runs
 * each statement to completion, so only an explicit transaction needs the
 * handle to itself. (Kysely's own driver lends it to one caller at a time,
 * until the caller has its result: a write waiting for its group's commit
 * would hold it, and no group could form.)
 */
class SharedHandle {
  /** The explicit transaction using the handle, and its end. */
  private owner?: { connection: GroupingConnection; ended: Promise<void>; end: () => void };

  constructor(
    readonly inner: DatabaseConnection,
    readonly group: Group,
  ) {}

  /**
   * The end of another caller's explicit transaction that has the handle, or
   * undefined when `connection` may use it. Callers loop on it and act in the
   * same microtask as the check that found the handle free: awaiting anything
   * in between would let a waiting transaction begin first.
   */
  busy(connection: GroupingConnection): Promise<void> | undefined {
    return this.owner && this.owner.connection !== connection ? this.owner.ended : undefined;
  }

  owns(connection: GroupingConnection): boolean {
    return this.owner?.connection === connection;
  }

  /** Give the handle to `connection`'s transaction (when it is not `busy` for it). */
  take(connection: GroupingConnection): void {
    if (this.busy(connection)) throw new Error('SharedHandle: taken while another transaction has it');
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    this.owner = { connection, ended, end };
    // The open group must not become part of a transaction that may roll back.
    this.group.commit();
  }

  give(): void {
    const owner = this.owner;
    this.owner = undefined;
    owner?.end();
  }
}

/** A caller's view of the shared handle: DML outside a transaction is grouped. */
class GroupingConnection implements DatabaseConnection {
  constructor(private readonly handle: SharedHandle) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const { inner, group } = this.handle;
    for (let busy = this.handle.busy(this); busy; busy = this.handle.busy(this)) await busy;
    if (this.handle.owns(this)) return inner.executeQuery<R>(compiled);
    if (!GROUPED.has(compiled.query.kind)) {
      // DDL, PRAGMA or raw SQL may not run inside a transaction; reads need no group either.
      if (compiled.query.kind !== 'SelectQueryNode') group.commit();
      return inner.executeQuery<R>(compiled);
    }
    // better-sqlite3 runs the statement synchronously inside executeQuery: its result is ready.
    let pending: Promise<QueryResult<R>> | undefined;
    await group.join(() => (pending = inner.executeQuery<R>(compiled)));
    return pending!;
  }

  async *streamQuery<R>(compiled: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    for (let busy = this.handle.busy(this); busy; busy = this.handle.busy(this)) await busy;
    yield* this.handle.inner.streamQuery<R>(compiled, chunkSize);
  }
}

/**
 * Kysely's SQLite connection with each statement prepared once. Why: Kysely
 * prepares every query's SQL anew, and SQLite parses and plans it each time;
 * the queries of a turn have the same SQL every time (storage/prepared.ts),
 * and preparing them was most of what they cost. The statements kept are
 * bounded (`STATEMENTS_KEPT`, oldest first out), since a query whose SQL
 * changes with its values (an IN list) makes a new one each time.
 */
class PreparingConnection implements DatabaseConnection {
  private readonly statements = new Map<string, SQLite.Statement>();

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly inner: DatabaseConnection,
  ) {}

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.statement(compiled.sql);
    const parameters = compiled.parameters as unknown[];
    if (statement.reader) return Promise.resolve({ rows: statement.all(parameters) as R[] });
    const { changes, lastInsertRowid } = statement.run(parameters);
    return Promise.resolve({ numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] });
  }

  /** Streams use a statement of their own (one being iterated cannot run anything else). */
  streamQuery<R>(compiled: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(compiled, chunkSize);
  }

  private statement(sql: string): SQLite.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.sqlite.prepare(sql);
      if (this.statements.size >= STATEMENTS_KEPT)
        this.statements.delete(this.statements.keys().next().value!);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/** Prepared statements kept per database: a few dozen are in use. */
const STATEMENTS_KEPT = 256;

/** SqliteDriver with the handle shared and writes grouped. */
class GroupCommitDriver implements Driver {
  private readonly inner: SqliteDriver;
  private handle?: SharedHandle;

  constructor(
    private readonly config: SqliteDialectConfig & { database: SQLite.Database },
    private readonly group: Group,
  ) {
    this.inner = new SqliteDriver(config);
  }

  async init(): Promise<void> {
    await this.inner.init();
    // Kysely's driver has one connection object; it is taken once and never given back.
    const connection = new PreparingConnection(this.config.database, await this.inner.acquireConnection());
    this.handle = new SharedHandle(connection, this.group);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new GroupingConnection(this.handle!);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    void settings; // SQLite has one isolation level.
    const c = connection as GroupingConnection;
    for (let busy = this.handle!.busy(c); busy; busy = this.handle!.busy(c)) await busy;
    this.handle!.take(c);
    try {
      await connection.executeQuery(CompiledQuery.raw('begin'));
    } catch (e) {
      this.handle!.give();
      throw e;
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw('commit'));
    } finally {
      this.handle!.give();
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw('rollback'));
    } finally {
      this.handle!.give();
    }
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    this.group.commit();
    await this.inner.destroy();
  }
}

/** Kysely's SqliteDialect whose writes outside a transaction are group-committed. */
export class GroupCommitSqliteDialect extends SqliteDialect {
  private readonly group: Group;

  constructor(private readonly sqliteConfig: SqliteDialectConfig & { database: SQLite.Database }) {
    super(sqliteConfig);
    this.group = new Group(sqliteConfig.database);
  }

  override createDriver(): Driver {
    return new GroupCommitDriver(this.sqliteConfig, this.group);
  }

  /** Groups committed so far. */
  get commits(): number {
    return this.group.commits;
  }
}

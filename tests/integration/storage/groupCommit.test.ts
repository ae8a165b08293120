/**
 * Group commit on SQLite: concurrent writes outside a transaction share one
 * commit, and nothing is promised before it is on disk.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { GroupCommitSqliteDialect } from '../../../storage/groupCommit';

interface T {
  notes: { id: number; text: string };
}

function open(): { db: Kysely<T>; dialect: GroupCommitSqliteDialect; file: string } {
  const { sqlite: _sqlite, ...rest } = openWithHandle();
  return rest;
}

/** `open`, with the better-sqlite3 handle underneath. */
function openWithHandle(): {
  db: Kysely<T>;
  dialect: GroupCommitSqliteDialect;
  file: string;
  sqlite: SQLite.Database;
} {
  const file = join(mkdtempSync(join(tmpdir(), 'group-')), 'g.db');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.exec('create table notes (id integer primary key, text text not null)');
  const dialect = new GroupCommitSqliteDialect({ database: sqlite });
  return { db: new Kysely<T>({ dialect }), dialect, file, sqlite };
}

/** What another process would read: a second handle on the file. */
function committed(file: string): number[] {
  const other = new SQLite(file, { readonly: true });
  try {
    return (other.prepare('select id from notes order by id').all() as Array<{ id: number }>).map(
      (r) => r.id,
    );
  } finally {
    other.close();
  }
}

describe('group commit', () => {
  it('commits concurrent inserts together, each visible to others once it resolves', async () => {
    const { db, dialect, file } = open();
    const before = dialect.commits;
    const writes = [1, 2, 3, 4, 5].map((id) =>
      db
        .insertInto('notes')
        .values({ id, text: `n${id}` })
        .execute(),
    );
    expect(committed(file)).toEqual([]);
    await Promise.all(writes);
    expect(dialect.commits - before).toBe(1);
    expect(committed(file)).toEqual([1, 2, 3, 4, 5]);
    await db.destroy();
  });

  it('rejects only the failing statement of a group', async () => {
    const { db, file } = open();
    await db.insertInto('notes').values({ id: 1, text: 'a' }).execute();
    const results = await Promise.allSettled([
      db.insertInto('notes').values({ id: 2, text: 'b' }).execute(),
      db.insertInto('notes').values({ id: 1, text: 'again' }).execute(),
      db.updateTable('notes').set({ text: 'c' }).where('id', '=', 2).execute(),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(committed(file)).toEqual([1, 2]);
    await db.destroy();
  });

  it('commits the open group before an explicit transaction, whose rollback keeps it', async () => {
    const { db, file } = open();
    const grouped = db.insertInto('notes').values({ id: 1, text: 'grouped' }).execute();
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('notes').values({ id: 2, text: 'in trx' }).execute();
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    await grouped;
    expect(committed(file)).toEqual([1]);
    await db.destroy();
  });

  it("keeps a write made during another caller's transaction out of its rollback", async () => {
    const { db, file } = open();
    let outside: Promise<unknown> | undefined;
    let seen: unknown;
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('notes').values({ id: 1, text: 'in trx' }).execute();
        outside = db.insertInto('notes').values({ id: 2, text: 'outside' }).execute();
        seen = db.selectFrom('notes').select('id').execute();
        await new Promise((r) => setTimeout(r, 20));
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    await outside;
    // The other caller waited for the transaction: it never saw its row, only its own.
    expect(await seen).toEqual([{ id: 2 }]);
    expect(committed(file)).toEqual([2]);
    await db.destroy();
  });

  it('runs transactions that wait for the handle one after another', async () => {
    const { db, file } = open();
    // Each transaction reads, waits, then writes what it read plus one: interleaved, two would read
    // the same count; one after another, the counts are 0, 1 and 2.
    const bump = (): Promise<void> =>
      db.transaction().execute(async (trx) => {
        const n = (await trx.selectFrom('notes').select('id').execute()).length;
        await new Promise((r) => setTimeout(r, 10));
        await trx
          .insertInto('notes')
          .values({ id: n + 1, text: `after ${n}` })
          .execute();
      });
    await Promise.all([bump(), bump(), bump()]);
    expect(committed(file)).toEqual([1, 2, 3]);
    await db.destroy();
  });

  it('runs raw statements outside any group', async () => {
    const { db, file } = open();
    const grouped = db.insertInto('notes').values({ id: 1, text: 'x' }).execute();
    // VACUUM cannot run inside a transaction: the group is committed first.
    await sql`vacuum`.execute(db);
    await grouped;
    expect(committed(file)).toEqual([1]);
    await db.destroy();
  });

  it('reads its own group before the commit', async () => {
    const { db } = open();
    const write = db.insertInto('notes').values({ id: 7, text: 'seen' }).execute();
    const row = await db.selectFrom('notes').selectAll().where('id', '=', 7).executeTakeFirst();
    expect(row?.text).toBe('seen');
    await write;
    await db.destroy();
  });

  it('prepares each SQL text once and runs it again with new values, seeing later schema changes', async () => {
    const { db, sqlite } = openWithHandle();
    const prepare = jest.spyOn(sqlite, 'prepare');
    for (const id of [1, 2, 3])
      await db
        .insertInto('notes')
        .values({ id, text: `n${id}` })
        .execute();
    const all = (): Promise<unknown[]> => db.selectFrom('notes').selectAll().orderBy('id').execute();
    expect(await all()).toHaveLength(3);
    expect(prepare).toHaveBeenCalledTimes(2);
    await sql`alter table notes add column extra text`.execute(db);
    await db.updateTable('notes').set({ text: 'changed' }).where('id', '=', 2).execute();
    const rows = (await all()) as Array<{ id: number; text: string; extra: string | null }>;
    expect(rows[1]).toEqual({ id: 2, text: 'changed', extra: null });
    await db.destroy();
  });
});

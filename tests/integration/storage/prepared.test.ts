/**
 * Prepared queries (storage/prepared.ts): built and compiled once per
 * database, then run with new values, on both databases.
 */
import { sql } from 'kysely';
import { prepared } from '../../../storage/prepared';
import type { Database } from '../../../storage/database';
import { backends } from '../../support/backends';

const insertState = prepared((db: Database, $) =>
  db.insertInto('bot_state').values({ key: $(0), data: $(1), etag: 'fixed', updated_at: $(2) }),
);

/** A constant among the placeholders, and one placeholder used twice. */
const stateOf = prepared((db: Database, $) =>
  db
    .selectFrom('bot_state')
    .select(['key', 'data', 'etag'])
    .where('etag', '=', 'fixed')
    .where((eb) => eb.or([eb('key', '=', $(0)), eb('data', '=', $(0))]))
    .orderBy('key'),
);

describe.each(backends())('prepared queries on %s', (_name, backend) => {
  afterEach(() => backend.closeAll());
  afterAll(() => backend.cleanup());

  it('puts each call’s values where its placeholders were, and keeps the constants', async () => {
    const db = await backend.open(await backend.fresh('prepared'));
    await insertState(db, 'a', '{"n":1}', '2026-12-07T00:00:00Z');
    await insertState(db, 'b', '{"n":2}', '2026-12-07T00:00:01Z');
    await db
      .insertInto('bot_state')
      .values({ key: 'c', data: '{"n":3}', etag: 'other', updated_at: '2026-12-07T00:00:02Z' })
      .execute();

    expect((await stateOf(db, 'a')).rows).toEqual([{ key: 'a', data: '{"n":1}', etag: 'fixed' }]);
    expect((await stateOf(db, 'b')).rows).toEqual([{ key: 'b', data: '{"n":2}', etag: 'fixed' }]);
    // The placeholder's second place (data) is filled too; the constant etag still filters out c.
    expect((await stateOf(db, '{"n":2}')).rows.map((r) => r.key)).toEqual(['b']);
    expect((await stateOf(db, 'c')).rows).toEqual([]);
    const rows = await db.selectFrom('bot_state').select(['key', 'updated_at']).orderBy('key').execute();
    expect(rows).toEqual([
      { key: 'a', updated_at: '2026-12-07T00:00:00Z' },
      { key: 'b', updated_at: '2026-12-07T00:00:01Z' },
      { key: 'c', updated_at: '2026-12-07T00:00:02Z' },
    ]);
  });

  it('runs inside a transaction, and a rollback takes its write back', async () => {
    const db = await backend.open(await backend.fresh('prepared'));
    await expect(
      db.transaction().execute(async (trx) => {
        await insertState(trx, 'gone', '{}', 'now');
        expect((await stateOf(trx, 'gone')).rows).toHaveLength(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await stateOf(db, 'gone')).rows).toEqual([]);
  });

  it('refuses a placeholder that Kysely writes into the SQL text', async () => {
    const db = await backend.open(await backend.fresh('prepared'));
    const literal = prepared((d: Database, $) => d.selectFrom('bot_state').select(sql.lit($(0)).as('x')));
    expect(() => literal(db, 'x')).toThrow(/written into the SQL text/);
  });
});

/**
 * The storage layer on both databases: SQLite (the embedded default) and
 * PostgreSQL (many replicas). On PostgreSQL "two replicas" are two handles
 * on the same database, each with its own pool; SQLite serves one process,
 * so there they share the handle (two concurrent turns of one process).
 */
import { DatabaseStorage } from '../../../storage/botStorage';
import { isUniqueViolation, migrate } from '../../../storage/database';
import { migrations } from '../../../storage/migrations';
import { maskPersonalData } from '../../../core/mask';
import { Records } from '../../../storage/records';
import { backends } from '../../support/backends';

describe.each(backends())('the database on %s', (_name, backend) => {
  afterEach(() => backend.closeAll());
  afterAll(() => backend.cleanup());

  it('applies migrations once, and again is a no-op', async () => {
    const db = await backend.open(await backend.fresh());
    expect(await migrate(db)).toEqual([]);
    const applied = await db
      .selectFrom('kysely_migration' as never)
      .select('name' as never)
      .execute();
    expect(applied).toHaveLength(Object.keys(migrations).length);
  });

  it('keeps bot state across a reopen', async () => {
    const config = await backend.fresh();
    let db = await backend.open(config);
    await new DatabaseStorage(db).write({ 'conv/1': { topic: 'dang-ky-khai-sinh', misses: 0 } });
    await backend.closeAll();
    db = await backend.open(config);
    const items = await new DatabaseStorage(db).read(['conv/1', 'missing']);
    expect(items['conv/1']).toMatchObject({ topic: 'dang-ky-khai-sinh' });
    expect(items.missing).toBeUndefined();
  });

  it('refuses a write with a stale eTag and accepts "*"', async () => {
    const storage = new DatabaseStorage(await backend.open(await backend.fresh()));
    await storage.write({ k: { n: 1 } });
    const first = (await storage.read(['k'])).k as { eTag: string };
    await storage.write({ k: { n: 2, eTag: first.eTag } });
    await expect(storage.write({ k: { n: 3, eTag: first.eTag } })).rejects.toThrow(/eTag conflict/);
    await storage.write({ k: { n: 4, eTag: '*' } });
    expect((await storage.read(['k'])).k).toMatchObject({ n: 4 });
    await storage.delete(['k']);
    expect(await storage.read(['k'])).toEqual({});
    await expect(storage.write({ k: { n: 5, eTag: first.eTag } })).rejects.toThrow(/item was deleted/);
  });

  it('lets one of two replicas win a race on the same eTag, and none lose an unconditional write', async () => {
    const config = await backend.fresh();
    const first = await backend.open(config);
    const a = new DatabaseStorage(first);
    const b = new DatabaseStorage(backend.name === 'PostgreSQL' ? await backend.open(config) : first);
    await a.write({ conv: { turn: 0 } });
    const { eTag } = (await a.read(['conv'])).conv as { eTag: string };
    for (let round = 0; round < 5; round++) {
      const current = ((await a.read(['conv'])).conv as { eTag: string }).eTag;
      const results = await Promise.allSettled([
        a.write({ conv: { turn: round + 1, by: 'a', eTag: current } }),
        b.write({ conv: { turn: round + 1, by: 'b', eTag: current } }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    }
    expect(((await b.read(['conv'])).conv as { eTag: string }).eTag).not.toBe(eTag);
    // New keys written by both at once (no eTag): both succeed, the last one stays.
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).write({ [`user/${i % 3}`]: { i } })),
    );
    expect(Object.keys(await a.read(['user/0', 'user/1', 'user/2']))).toHaveLength(3);
  });

  it('stores transcripts with phone and identity numbers masked', async () => {
    const records = new Records(await backend.open(await backend.fresh()));
    await records.addTranscript({
      conversationId: 'c',
      channel: 'test',
      role: 'user',
      text: 'SĐT 0912 345 678, CCCD 040123456789',
    });
    await records.addTranscript({ conversationId: 'c', channel: 'test', role: 'bot', text: 'Chào bạn' });
    const lines = await records.transcript('c');
    expect(lines.map((l) => l.text)).toEqual(['SĐT *******678, CCCD *********789', 'Chào bạn']);
  });

  it('returns bigint columns and counts as numbers', async () => {
    const db = await backend.open(await backend.fresh());
    const expiresAt = 1767312000123;
    await db
      .insertInto('zalo_tokens')
      .values({ oa: 'x', access_token: 'a', refresh_token: 'r', expires_at: expiresAt, updated_at: 'now' })
      .execute();
    const row = await db.selectFrom('zalo_tokens').selectAll().executeTakeFirstOrThrow();
    expect(row.expires_at).toBe(expiresAt);
    const count = await db
      .selectFrom('zalo_tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(count.n).toBe(1);
  });

  it('numbers auto-increment keys from 1 and reports a duplicate key as a unique violation', async () => {
    const db = await backend.open(await backend.fresh());
    const now = new Date().toISOString();
    for (const text of ['a', 'b'])
      await db
        .insertInto('transcripts')
        .values({ conversation_id: 'c', channel: 't', role: 'user', text, created_at: now })
        .execute();
    const ids = await db.selectFrom('transcripts').select('id').orderBy('id').execute();
    expect(ids.map((r) => r.id)).toEqual([1, 2]);
    const event = { event_key: 'msg:1', received_at: now };
    await db.insertInto('zalo_events').values(event).execute();
    const duplicate = await db
      .insertInto('zalo_events')
      .values(event)
      .execute()
      .catch((e: unknown) => e);
    expect(isUniqueViolation(duplicate)).toBe(true);
    const ignored = await db
      .insertInto('zalo_events')
      .values(event)
      .onConflict((oc) => oc.column('event_key').doNothing())
      .executeTakeFirst();
    expect(Number(ignored.numInsertedOrUpdatedRows ?? 0)).toBe(0);
  });
});

describe('masking', () => {
  it.each([
    ['gọi 0987654321 nhé', 'gọi *******321 nhé'],
    ['+84 912 345 678', '********678'],
    ['số CMND 123456789', 'số CMND ******789'],
    ['mã thủ tục 1.001193 và năm 2026', 'mã thủ tục 1.001193 và năm 2026'],
    ['thư: nguyen.van.a@gmail.com.', 'thư: n***@gmail.com.'],
    ['ghi chú (lan+1022@nghean.gov.vn)', 'ghi chú (l***@nghean.gov.vn)'],
  ])('%s → %s', (input, output) => {
    expect(maskPersonalData(input)).toBe(output);
  });
});

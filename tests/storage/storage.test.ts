import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseStorage } from '../../storage/botStorage';
import { migrate, openDatabase, type Database } from '../../storage/database';
import { maskPersonalNumbers } from '../../storage/mask';
import { Records } from '../../storage/records';

const file = (): string => join(mkdtempSync(join(tmpdir(), 'db-')), 'test.db');

describe('the database', () => {
  let db: Database;
  afterEach(async () => db?.destroy());

  it('applies migrations once, and again is a no-op', async () => {
    db = await openDatabase({ sqliteFile: file() });
    expect(await migrate(db)).toEqual([]);
  });

  it('keeps bot state across a reopen of the same file', async () => {
    const path = file();
    db = await openDatabase({ sqliteFile: path });
    await new DatabaseStorage(db).write({ 'conv/1': { topic: 'dang-ky-khai-sinh', misses: 0 } });
    await db.destroy();
    db = await openDatabase({ sqliteFile: path });
    const items = await new DatabaseStorage(db).read(['conv/1', 'missing']);
    expect(items['conv/1']).toMatchObject({ topic: 'dang-ky-khai-sinh' });
    expect(items.missing).toBeUndefined();
  });

  it('refuses a write with a stale eTag and accepts "*"', async () => {
    db = await openDatabase({ sqliteFile: ':memory:' });
    const storage = new DatabaseStorage(db);
    await storage.write({ k: { n: 1 } });
    const first = (await storage.read(['k'])).k as { eTag: string };
    await storage.write({ k: { n: 2, eTag: first.eTag } });
    await expect(storage.write({ k: { n: 3, eTag: first.eTag } })).rejects.toThrow(/eTag conflict/);
    await storage.write({ k: { n: 4, eTag: '*' } });
    expect((await storage.read(['k'])).k).toMatchObject({ n: 4 });
    await storage.delete(['k']);
    expect(await storage.read(['k'])).toEqual({});
  });

  it('stores transcripts with phone and identity numbers masked, and feedback', async () => {
    db = await openDatabase({ sqliteFile: ':memory:' });
    const records = new Records(db);
    await records.addTranscript({
      conversationId: 'c',
      channel: 'test',
      role: 'user',
      text: 'SĐT 0912 345 678, CCCD 040123456789',
    });
    const [line] = await records.transcript('c');
    expect(line?.text).toBe('SĐT *******678, CCCD *********789');
    await records.addFeedback('c', 'e1', true);
    await records.addFeedback('c', 'e1', false);
    expect(await records.feedbackFor('e1')).toEqual({ helpful: 1, notHelpful: 1 });
  });
});

describe('masking', () => {
  it.each([
    ['gọi 0987654321 nhé', 'gọi *******321 nhé'],
    ['+84 912 345 678', '********678'],
    ['số CMND 123456789', 'số CMND ******789'],
    ['mã thủ tục 1.001193 và năm 2026', 'mã thủ tục 1.001193 và năm 2026'],
  ])('%s → %s', (input, output) => {
    expect(maskPersonalNumbers(input)).toBe(output);
  });
});

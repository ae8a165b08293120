/**
 * Nothing raw at rest: a citizen writes phone numbers (with and without
 * +84, spaces, dots), ID numbers, an e-mail address and a bank card number
 * over web chat, /api/messages and Zalo, and asks for an agent (a ticket);
 * afterwards none of them is found in the SQLite file, its WAL or its
 * free pages (every byte of every file in the data directory is scanned),
 * nor in any text column of any table on PostgreSQL.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { loadConfig } from '../../../app/config';
import { createLogger } from '../../../core/log';
import { startServer } from '../../../app/server';
import { zaloMac } from '../../../channels/zalo/webhook';
import { FIXTURE_SEEDS } from '../../helpers';
import { newSession, say, startConversation } from '../../support/directline';
import { APP_ID, FakeZalo, OA_ID, OA_SECRET } from '../../support/fakeZalo';
import { createTestDatabase, type TestDatabase } from '../../support/postgres';

const SAID = [
  'số tôi 0912345678',
  'hoặc +84 913 222 333',
  'hoặc 0914.555.666',
  'căn cước 001099012345, cmnd 271828182',
  'email an.nguyen@example.vn',
  'thẻ 4111 1111 1111 1111',
];
/** What must not appear anywhere, as written and as bare digits. */
const RAW = [
  '0912345678',
  '913 222 333',
  '913222333',
  '0914.555.666',
  '914555666',
  '001099012345',
  '271828182',
  'an.nguyen',
  '4111 1111 1111 1111',
  '4111111111111111',
];

let fake: FakeZalo;
let channel: Server;
let serviceUrl: string;
let database: TestDatabase;

beforeAll(async () => {
  fake = await new FakeZalo().start();
  channel = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"1"}');
    });
  });
  await new Promise<void>((r) => channel.listen(0, '127.0.0.1', r));
  serviceUrl = `http://127.0.0.1:${(channel.address() as AddressInfo).port}`;
  database = await createTestDatabase('at_rest');
});

afterAll(async () => {
  await fake.stop();
  await new Promise((r) => channel.close(r));
  await database.drop();
});

/** Every channel writes what the citizen said (and a ticket is opened), then the server stops. */
async function converse(env: Record<string, string>, dataDir: string): Promise<void> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    KB_SEEDS_DIR: FIXTURE_SEEDS,
    KB_PASSAGES_DIR: join(FIXTURE_SEEDS, 'none'),
    HOTLINE_SCHEDULE: 'always',
    ...fake.env(),
    ...env,
  });
  const logs: string[] = [];
  const server = await startServer(
    config,
    createLogger('info', (l) => logs.push(l)),
  );
  try {
    const s = await newSession(server.url);
    await startConversation(server.url, s);
    for (const text of SAID) expect((await say(server.url, s, text)).status).toBe(200);
    expect((await say(server.url, s, 'cho tôi gặp tổng đài viên')).status).toBe(200);
    let n = 0;
    for (const text of SAID) {
      const res = await fetch(`${server.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message',
          id: `m${++n}`,
          channelId: 'emulator',
          serviceUrl,
          from: { id: 'u1', role: 'user' },
          recipient: { id: 'bot', role: 'bot' },
          conversation: { id: 'at-rest' },
          text,
        }),
      });
      expect(res.status).toBeLessThan(300);
      const event = {
        app_id: APP_ID,
        event_name: 'user_send_text',
        timestamp: String(Date.now()),
        sender: { id: '8800112233445566778' },
        recipient: { id: OA_ID },
        message: { msg_id: `at-rest-${n}`, text },
      };
      const raw = JSON.stringify(event);
      const answered = fake.next('8800112233445566778');
      const z = await fetch(`${server.url}/api/zalo/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-zevent-signature': `mac=${zaloMac(APP_ID, Buffer.from(raw), event.timestamp, OA_SECRET)}`,
        },
        body: raw,
      });
      expect(z.status).toBe(200);
      await answered;
    }
    await server.bot.settle();
    const tickets = await server.db.selectFrom('tickets').select('subject').execute();
    expect(tickets.length).toBeGreaterThan(0);
    // Scanned while running too: the WAL holds the latest pages then.
    expect(rawIn(scanDir(dataDir))).toEqual([]);
  } finally {
    await server.close();
  }
  expect(rawIn(logs.join('\n'))).toEqual([]);
}

function scanDir(dir: string): string {
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f)).toString('latin1') + readFileSync(join(dir, f)).toString('utf8'))
    .join('\n');
}

function rawIn(text: string): string[] {
  return RAW.filter((r) => text.includes(r));
}

describe('personal identifiers at rest', () => {
  it('are in no byte of the SQLite file, its WAL or free pages', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'at-rest-'));
    await converse({}, dir);
    expect(readdirSync(dir).some((f) => f.endsWith('.db'))).toBe(true);
    expect(rawIn(scanDir(dir))).toEqual([]);
  });

  it('are in no text column of any table on PostgreSQL', async () => {
    await converse({ DATABASE_URL: database.url }, mkdtempSync(join(tmpdir(), 'at-rest-pg-')));
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const tables = await client.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = 'public'",
      );
      let all = '';
      for (const { table_name } of tables.rows)
        all += JSON.stringify((await client.query(`select * from "${table_name}"`)).rows);
      expect(rawIn(all)).toEqual([]);
    } finally {
      await client.end();
    }
  });
});

/**
 * Throttles hold across replicas: two assistant processes on one
 * PostgreSQL database allow together what one allows (web-chat messages
 * per conversation, console login failures), and a client over the limit
 * gets at most one stored notice a minute whichever replica it reaches.
 */
import pg from 'pg';
import { newSession, say, startConversation } from '../../support/directline';
import { createTestDatabase, type TestDatabase } from '../../support/postgres';
import { startReplica, type Replica } from '../../support/replica';
import { sleep } from '../../support/wait';

jest.setTimeout(120_000);

let database: TestDatabase;
let a: Replica;
let b: Replica;

const PER_MINUTE = 4;

beforeAll(async () => {
  database = await createTestDatabase('throttles');
  const env = {
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '3',
    WEBCHAT_SECRET: 'throttle-test-secret-0123456789',
    WEBCHAT_TOKENS_PER_MINUTE: '100',
    WEBCHAT_MESSAGES_PER_MINUTE: String(PER_MINUTE),
    HOTLINE_LOGINS_PER_MINUTE: String(PER_MINUTE),
    HOTLINE_SCHEDULE: 'always',
    HOTLINE_ADMIN_USER: 'giamsat',
    HOTLINE_ADMIN_PASSWORD: 'mat-khau-giam-sat',
  };
  [a, b] = await Promise.all([startReplica(env), startReplica(env)]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await database?.drop();
});

/** The limits count per calendar minute: start well inside one, so the test never straddles two. */
async function insideOneMinute(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 20_000) await sleep(left + 200);
}

describe('throttles shared by replicas', () => {
  it('allows a conversation the same messages a minute on two replicas as on one, with one notice', async () => {
    await insideOneMinute();
    const s = await newSession(a.url);
    expect((await startConversation(a.url, s)).status).toBe(201);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await say(i % 2 ? b.url : a.url, s, `cau hoi ${i}`)).status);
    expect(statuses.filter((x) => x === 200)).toHaveLength(PER_MINUTE);
    expect(statuses.filter((x) => x === 429)).toHaveLength(12 - PER_MINUTE);

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const rows = await client.query<{ activity: string }>(
        'select activity from webchat_activities where conversation_id = $1',
        [s.conversationId],
      );
      const notices = rows.rows.filter((r) => r.activity.includes('Bạn gửi nhanh quá'));
      expect(notices).toHaveLength(1);
    } finally {
      await client.end();
    }
  });

  it('counts console login failures from both replicas together', async () => {
    await insideOneMinute();
    const login = (base: string) =>
      fetch(`${base}/hotline/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'giamsat', password: 'sai-mat-khau' }),
      }).then((r) => r.status);
    const statuses: number[] = [];
    for (let i = 0; i < 2 * PER_MINUTE; i++) statuses.push(await login(i % 2 ? b.url : a.url));
    // PER_MINUTE failures for this (username, address) in all, whichever replica saw them.
    expect(statuses.slice(0, PER_MINUTE)).toEqual(Array(PER_MINUTE).fill(401));
    expect(statuses.slice(PER_MINUTE)).toEqual(Array(PER_MINUTE).fill(429));
  });
});

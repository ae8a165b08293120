/**
 * Two replicas of the assistant (`node dist/app/main.js`, two processes on
 * two ports) on one PostgreSQL database, as behind a load balancer: a
 * web-chat conversation moves between them, a reply stored by one reaches a
 * WebSocket on the other, a Zalo event delivered to both is answered once,
 * the single-use Zalo refresh token is spent once, the hotline console on
 * one replica follows tickets and answers citizens connected to the other
 * (both seeding the same admin account at once), and a replica killed
 * mid-conversation loses nothing.
 */
import pg from 'pg';
import { Accounts } from '../../../hotline/domain/accounts';
import { openDatabase } from '../../../storage/database';
import { zaloMac } from '../../../channels/zalo/webhook';
import { APP_ID, FakeZalo, OA_ID, OA_SECRET } from '../../support/fakeZalo';
import {
  Stream,
  newSession,
  poll,
  reconnectUrl,
  say,
  startConversation,
  type DlActivity,
} from '../../support/directline';
import { createTestDatabase, type TestDatabase } from '../../support/postgres';
import { hotlineLogin, ticketAction } from '../../support/hotline';
import { startReplica, type Replica } from '../../support/replica';
import { sleep, waitFor } from '../../support/wait';

jest.setTimeout(120_000);

let database: TestDatabase;
let fake: FakeZalo;
let a: Replica;
let b: Replica;

const SECRET = 'replica-test-secret-0123456789';

beforeAll(async () => {
  database = await createTestDatabase('replicas');
  fake = await new FakeZalo().start();
  const env = {
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '4',
    WEBCHAT_SECRET: SECRET,
    WEBCHAT_TOKENS_PER_MINUTE: '100',
    ...fake.env(),
    ZALO_TIMEOUT_MS: '3000',
    ZALO_RETRY_DELAYS_MS: '10,20',
    HOTLINE_SCHEDULE: 'always',
    HOTLINE_ADMIN_USER: 'giamsat',
    HOTLINE_ADMIN_PASSWORD: 'mat-khau-giam-sat',
  };
  // Started together: both run the migrations at the same moment.
  [a, b] = await Promise.all([startReplica(env), startReplica(env)]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await fake?.stop();
  await database?.drop();
});

const bot = (x: DlActivity): boolean => x.from.role === 'bot';

describe('web chat across replicas', () => {
  it('continues on B, with its history, a conversation started on A', async () => {
    expect(a.url).not.toBe(b.url);
    const s = await newSession(a.url);
    expect((await startConversation(a.url, s)).status).toBe(201);
    const answered = await say(a.url, s, 'dang ky ket hon o dau');
    expect(answered.status).toBe(200);

    // B knows the conversation and its token, and has every activity A stored.
    const onB = await poll(b.url, s);
    expect(onB.activities.map((x) => x.from.role)).toEqual(['bot', 'user', 'bot']);
    expect(onB.activities[2]?.attachments?.[0]?.content?.title).toBe('Đăng ký kết hôn');
    expect(onB.watermark).toBe('3');
    // Starting again on B is a resume, not a second welcome.
    expect((await startConversation(b.url, s)).status).toBe(200);

    // The follow-up on B knows the topic A's turn left in the conversation state.
    expect((await say(b.url, s, 'thế lệ phí bao nhiêu?')).status).toBe(200);
    const next = await poll(b.url, s, onB.watermark);
    const reply = next.activities.find(bot);
    expect(reply?.channelData?.reply?.entry?.id).toBe('dang-ky-ket-hon');
    expect(JSON.stringify(reply)).toContain('Miễn lệ phí');
    expect((await poll(a.url, s)).activities.map((x) => x.id)).toEqual(
      (await poll(b.url, s)).activities.map((x) => x.id),
    );
  });

  it('pushes a reply produced on B to a WebSocket open on A, in order and once', async () => {
    const s = await newSession(a.url);
    const { streamUrl } = await startConversation(a.url, s);
    expect(streamUrl).toContain(new URL(a.url).host);
    const stream = await Stream.open(streamUrl);
    await stream.until(bot, 'the welcome on A');

    await say(b.url, s, 'lam cccd o dau');
    const reply = await stream.until(
      (x) => bot(x) && x.attachments?.[0]?.content?.title === 'Cấp thẻ căn cước',
      "B's reply on A's WebSocket",
    );
    expect(reply.replyToId).toBe(`${s.conversationId}|0000001`);
    // A proactive-looking second message from B, then nothing duplicated or out of order.
    await say(b.url, s, 'dang ky tam tru o dau');
    await stream.until((x) => x.attachments?.[0]?.content?.title === 'Đăng ký tạm trú', 'the second reply');
    await sleep(200);
    const ids = stream.activities.map((x) => x.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(5);
    expect(stream.watermark).toBe('5');
    stream.close();
  });
});

let seq = 0;
function textEvent(userId: string, text: string, msgId = `replica-msg-${++seq}`): Record<string, unknown> {
  return {
    app_id: APP_ID,
    event_name: 'user_send_text',
    timestamp: String(1767312000000 + seq),
    sender: { id: userId },
    recipient: { id: OA_ID },
    message: { msg_id: msgId, text },
  };
}

function deliver(replica: Replica, event: unknown, retry?: string): Promise<Response> {
  const raw = JSON.stringify(event);
  const timestamp = String((event as { timestamp: string }).timestamp);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-zevent-signature': `mac=${zaloMac(APP_ID, Buffer.from(raw), timestamp, OA_SECRET)}`,
  };
  if (retry) headers.num_retry = retry;
  return fetch(`${replica.url}/api/zalo/webhook`, { method: 'POST', headers, body: raw });
}

describe('Zalo across replicas', () => {
  it('answers an event delivered to both replicas once', async () => {
    const users = Array.from({ length: 6 }, (_, i) => `880000000000000070${i}`);
    const events = users.map((u, i) => textEvent(u, ['lam cccd o dau', 'dang ky ket hon o dau'][i % 2]!));
    const statuses = await Promise.all(
      events.flatMap((e) => [deliver(a, e), deliver(b, e, '1')].map(async (r) => (await r).status)),
    );
    expect(statuses.every((st) => st === 200)).toBe(true);
    await waitFor(() => users.every((u) => fake.messages.some((m) => m.userId === u)), 'every answer');
    await sleep(1000); // a second answer would come within this
    for (const u of users) expect(fake.messages.filter((m) => m.userId === u)).toHaveLength(1);
  });

  it('spends the single-use refresh token once when both replicas find the access token expired', async () => {
    const before = fake.refreshCalls;
    const sent = fake.messages.length;
    fake.expireAccessToken();
    fake.refreshLatencyMs = 500; // both replicas are inside a refresh at the same time
    await Promise.all([
      deliver(a, textEvent('8800000000000000801', 'lam cccd o dau')),
      deliver(b, textEvent('8800000000000000802', 'dang ky tam tru o dau')),
    ]);
    await waitFor(() => fake.messages.length === sent + 2, 'both answers', 20_000);
    fake.refreshLatencyMs = 0;
    expect(fake.refreshCalls - before).toBe(1);
    // Both replicas use the one new pair, and nothing went to the outbox.
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    const outbox = await db.query('select count(*)::int as n from zalo_outbox');
    const tokens = await db.query('select refresh_token from zalo_tokens');
    await db.end();
    expect(outbox.rows[0].n).toBe(0);
    expect(tokens.rows).toEqual([{ refresh_token: fake.refreshToken }]);
    expect(
      a.logs.concat(b.logs).filter((l) => l.includes('not delivered') || l.includes('refresh failed')),
    ).toEqual([]);
  });
});

describe('the hotline across replicas', () => {
  it("shows on A's console a ticket opened on B, and an agent on B answers a citizen connected to A", async () => {
    // The session made on B is valid on A: it lives in the database.
    const headers = await hotlineLogin(b.url, 'giamsat', 'mat-khau-giam-sat');
    const controller = new AbortController();
    const events = await fetch(`${a.url}/hotline/api/events`, { headers, signal: controller.signal });
    const reader = events.body!.getReader();
    let seen = '';
    const sse = (async () => {
      while (!/"type":"opened"/.test(seen)) seen += new TextDecoder().decode((await reader.read()).value);
    })();

    const s = await newSession(a.url);
    const { streamUrl } = await startConversation(a.url, s);
    const stream = await Stream.open(streamUrl); // the citizen stays connected to A
    await stream.until(bot, 'the welcome on A');
    await say(b.url, s, 'cho tôi gặp tổng đài viên'); // the load balancer sent this one to B
    const opened = await stream.until((x) => /1022-\d{8}-\d{4}/.test(x.text ?? ''), 'the ticket code');
    const code = /1022-\d{8}-\d{4}/.exec(opened.text ?? '')?.[0] as string;
    await sse;
    controller.abort();
    expect(seen).toContain(code);

    const post = (action: string, body: unknown) => ticketAction(b.url, headers, code, action, body);
    expect((await post('/claim', {})).status).toBe(200);
    expect((await post('/messages', { text: 'Chào anh, tôi nghe đây.' })).status).toBe(200);
    await stream.until(
      (x) => (x.text ?? '').endsWith('Chào anh, tôi nghe đây.'),
      "B's agent reply on A's WebSocket",
    );
    // The citizen writes through A; the agent on B sees it.
    await say(a.url, s, 'tôi cần hỏi về sổ đỏ');
    await waitFor(async () => {
      const r = await fetch(`${b.url}/hotline/api/tickets/${code}`, { headers });
      const detail = (await r.json()) as { messages: Array<{ text: string }> };
      return detail.messages.some((m) => m.text === 'tôi cần hỏi về sổ đỏ');
    }, 'the citizen message on B');
    stream.close();
  });
});

describe('two claims of one ticket at once on two replicas', () => {
  it('gives one 200 and one 409, and tells the citizen once', async () => {
    const db = await openDatabase({ postgresUrl: database.url, poolSize: 1 });
    try {
      await new Accounts(db).add('lan', 'mat-khau-cua-lan', 'agent', 'Lan');
    } finally {
      await db.destroy();
    }
    const s = await newSession(a.url);
    await startConversation(a.url, s);
    await say(a.url, s, 'cho tôi gặp tổng đài viên');
    const opened = (await poll(a.url, s)).activities.find((x) => /1022-\d{8}-\d{4}/.test(x.text ?? ''));
    const code = /1022-\d{8}-\d{4}/.exec(opened?.text ?? '')?.[0] as string;
    expect(code).toBeDefined();
    const supervisor = await hotlineLogin(a.url, 'giamsat', 'mat-khau-giam-sat');
    const lan = await hotlineLogin(b.url, 'lan', 'mat-khau-cua-lan');
    const lanAgain = await hotlineLogin(a.url, 'lan', 'mat-khau-cua-lan');
    // Two agents, then one agent's double click, each on both replicas at once.
    const first = await Promise.all([
      ticketAction(a.url, supervisor, code, '/claim'),
      ticketAction(b.url, lan, code, '/claim'),
    ]);
    expect(first.map((r) => r.status).sort()).toEqual([200, 409]);
    const again = await Promise.all([
      ticketAction(a.url, lanAgain, code, '/claim'),
      ticketAction(b.url, lan, code, '/claim'),
    ]);
    expect(again.map((r) => r.status)).toEqual([409, 409]);
    await sleep(300);
    const joined = (await poll(a.url, s)).activities.filter((x) => /đã tiếp nhận yêu cầu/.test(x.text ?? ''));
    expect(joined).toHaveLength(1);
  });
});

describe('a replica killed mid-conversation', () => {
  it('loses nothing: the citizen reconnects to B and carries on', async () => {
    const s = await newSession(a.url);
    const { streamUrl } = await startConversation(a.url, s);
    const stream = await Stream.open(streamUrl);
    await say(a.url, s, 'dang ky ket hon o dau');
    await stream.until((x) => x.attachments?.[0]?.content?.title === 'Đăng ký kết hôn', 'the answer on A');
    const seenOnA = stream.activities.map((x) => x.id);
    const watermark = stream.watermark;

    await a.stop('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');
    await waitFor(() => stream.closed, 'the WebSocket to close');

    // Web Chat reconnects (through the load balancer, now to B) from its watermark.
    const resumed = await Stream.open(await reconnectUrl(b.url, s, watermark));
    const history = await poll(b.url, s);
    expect(history.activities.map((x) => x.id)).toEqual(seenOnA);
    await say(b.url, s, 'thế lệ phí bao nhiêu?');
    const reply = await resumed.until(bot, 'the answer on B');
    expect(reply.channelData?.reply?.entry?.id).toBe('dang-ky-ket-hon');
    expect(resumed.activities[0]?.id).toBe(`${s.conversationId}|${watermark.padStart(7, '0')}`);
    resumed.close();
    expect(b.alive()).toBe(true);
  });
});

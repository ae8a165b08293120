/**
 * The Zalo OA channel end to end: signed webhooks in, the Zalo Open API out
 * (a fake Zalo on loopback that checks what Zalo checks).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zaloMac } from '../../../channels/zalo/webhook';
import { splitText, toZaloMessages } from '../../../channels/zalo/render';
import { emptyReply } from '../../../core/reply';
import { loadConfig } from '../../../app/config';
import { createLogger } from '../../../core/log';
import { startServer, type RunningServer } from '../../../app/server';
import { FIXTURE_SEEDS } from '../../helpers';
import { APP_ID, FakeZalo, OA_ID, OA_SECRET } from '../../support/fakeZalo';
import { hotlineLogin, ticketAction } from '../../support/hotline';
import { startReplica } from '../../support/replica';
import { sleep, waitFor } from '../../support/wait';

let fake: FakeZalo;
let logs: string[];
let seq = 0;

async function serverOn(file: string, extra: Record<string, string> = {}): Promise<RunningServer> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${file}`,
    KB_SEEDS_DIR: FIXTURE_SEEDS,
    KB_PASSAGES_DIR: join(FIXTURE_SEEDS, 'none'),
    ...fake.env(),
    ZALO_TIMEOUT_MS: '300',
    ZALO_RETRY_DELAYS_MS: '10,20',
    ...extra,
  });
  const server = await startServer(
    config,
    createLogger('info', (l) => logs.push(l)),
  );
  running.push(server);
  return server;
}

/** Servers a failed test may have left open (close() may be called twice). */
const running: RunningServer[] = [];

const dbFile = (): string => join(mkdtempSync(join(tmpdir(), 'zalo-')), 'bot.db');

function textEvent(userId: string, text: string, msgId = `msg${++seq}`): Record<string, unknown> {
  return {
    app_id: APP_ID,
    user_id_by_app: '5550001112223334445',
    event_name: 'user_send_text',
    timestamp: String(1767312000000 + seq),
    sender: { id: userId },
    recipient: { id: OA_ID },
    message: { msg_id: msgId, text },
  };
}

async function deliver(
  server: Pick<RunningServer, 'url'>,
  event: unknown,
  sign: 'good' | 'bad' | 'none' = 'good',
  extra: Record<string, string> = {},
) {
  const raw = JSON.stringify(event);
  const timestamp = String((event as { timestamp?: string }).timestamp ?? '');
  const headers: Record<string, string> = { 'content-type': 'application/json', ...extra };
  if (sign === 'good')
    headers['x-zevent-signature'] = `mac=${zaloMac(APP_ID, Buffer.from(raw), timestamp, OA_SECRET)}`;
  if (sign === 'bad')
    headers['x-zevent-signature'] = `mac=${zaloMac(APP_ID, Buffer.from(raw), timestamp, 'wrong-key')}`;
  return fetch(`${server.url}/api/zalo/webhook`, { method: 'POST', headers, body: raw });
}

beforeEach(async () => {
  fake = await new FakeZalo().start();
  logs = [];
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  await fake.stop();
});

describe('the Zalo webhook', () => {
  it('answers a signed text event through the customer-service API, with buttons', async () => {
    const server = await serverOn(dbFile());
    const res = await deliver(server, textEvent('8800112233445566778', 'lam cccd o dau'));
    expect(res.status).toBe(200);
    await server.zalo!.idle();
    expect(fake.messages).toHaveLength(1);
    const [m] = fake.messages;
    expect(m?.userId).toBe('8800112233445566778');
    expect(m?.text).toContain('Cấp thẻ căn cước');
    expect(m?.text).not.toContain('**');
    expect(m?.buttons[0]).toEqual({
      title: 'Trang chính thức',
      type: 'oa.open.url',
      payload: { url: 'https://dichvucong.gov.vn/' },
    });
    expect(m?.buttons.length).toBeLessThanOrEqual(5);
    await server.close();
  });

  it('answers a text over the length limit politely, without reading it through the bot', async () => {
    const server = await serverOn(dbFile(), { WEBCHAT_MAX_MESSAGE_CHARS: '300' });
    const res = await deliver(server, textEvent('8800112233445566778', `lam cccd o dau ${'a'.repeat(400)}`));
    expect(res.status).toBe(200);
    await server.zalo!.idle();
    expect(fake.messages.map((m) => m.text)).toEqual([
      'Tin nhắn quá dài (415 ký tự). Bạn vui lòng gửi câu hỏi ngắn hơn, tối đa 300 ký tự.',
    ]);
    const lines = await server.db.selectFrom('transcripts').select('text').execute();
    expect(lines).toEqual([]);
    await server.close();
  });

  it('rejects a missing or wrong signature with 401, logs it, and sends nothing', async () => {
    const server = await serverOn(dbFile());
    expect((await deliver(server, textEvent('1', 'xin chao'), 'none')).status).toBe(401);
    expect((await deliver(server, textEvent('1', 'xin chao'), 'bad')).status).toBe(401);
    await server.zalo!.idle();
    expect(fake.messages).toEqual([]);
    expect(logs.filter((l) => l.includes('wrong signature'))).toHaveLength(2);
    await server.close();
  });

  it('rejects a malformed event with 400 and a readable reason', async () => {
    const server = await serverOn(dbFile());
    const res = await deliver(server, { event_name: 'user_send_text', timestamp: '1', sender: { id: '1' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/recipient|message/);
    await server.close();
  });

  it('answers a redelivered event once, even after a restart', async () => {
    const file = dbFile();
    const event = textEvent('8800112233445566778', 'dang ky ket hon o dau', 'dup-1');
    let server = await serverOn(file);
    await deliver(server, event);
    await deliver(server, event, 'good', { num_retry: '1' });
    await server.zalo!.idle();
    await server.close();
    server = await serverOn(file);
    expect((await deliver(server, event, 'good', { num_retry: '2' })).status).toBe(200);
    await server.zalo!.idle();
    expect(fake.messages).toHaveLength(1);
    await server.close();
  });

  it('finishes after a crash a message whose turn was cut short, answering it once despite a redelivery', async () => {
    const file = dbFile();
    const env = { DATABASE_URL: `sqlite:${file}`, ...fake.env(), ZALO_TIMEOUT_MS: '30000' };
    const user = '8800112233445566001';
    const event = textEvent(user, 'dang ky ket hon o dau', 'crash-1');
    fake.hang = true; // the reply is being sent when the process dies
    const first = await startReplica(env);
    try {
      expect((await deliver(first, event)).status).toBe(200);
      await waitFor(async () => fake.held > 0, 'the reply on its way to Zalo');
    } finally {
      await first.stop('SIGKILL');
    }
    fake.hang = false;
    const second = await startReplica(env);
    try {
      // Zalo's redelivery races the recovery at start: one of them answers.
      expect((await deliver(second, event)).status).toBe(200);
      const answer = await waitFor(() => fake.messages.find((m) => m.userId === user), 'the answer');
      expect(answer.text).toContain('kết hôn');
      await sleep(500);
      expect((await deliver(second, event)).status).toBe(200);
      await sleep(300);
      expect(fake.messages.filter((m) => m.userId === user)).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });

  it('welcomes a follower, stops sending after unfollow, and replies to images in text', async () => {
    const server = await serverOn(dbFile());
    const user = '8800000000000000001';
    await deliver(server, {
      app_id: APP_ID,
      oa_id: OA_ID,
      event_name: 'follow',
      timestamp: '1767311000000',
      follower: { id: user },
    });
    await server.zalo!.idle();
    expect(fake.messages[0]?.text).toContain('Xin chào');
    await deliver(server, {
      ...textEvent(user, ''),
      event_name: 'user_send_image',
      message: {
        msg_id: 'img-1',
        attachments: [{ type: 'image', payload: { url: 'https://example.zdn.vn/a.jpg' } }],
      },
    });
    await server.zalo!.idle();
    expect(fake.messages[1]?.text).toContain('chỉ đọc được tin nhắn chữ');
    await deliver(server, {
      app_id: APP_ID,
      oa_id: OA_ID,
      event_name: 'unfollow',
      timestamp: '1767311000999',
      follower: { id: user },
    });
    await server.zalo!.idle();
    expect(
      await server.zalo!.sender.send({ recipient: { user_id: user }, message: { text: 'tin chủ động' } }),
    ).toBe('outbox');
    expect(fake.messages).toHaveLength(2);
    const dead = await server.db.selectFrom('zalo_outbox').selectAll().where('user_id', '=', user).execute();
    expect(dead[0]).toMatchObject({ status: 'dead', reason: 'the citizen unfollowed the OA' });
    await deliver(server, { event_name: 'some_future_event', timestamp: '1' });
    await server.zalo!.idle();
    expect(logs.some((l) => l.includes('zalo event ignored') && l.includes('some_future_event'))).toBe(true);
    await server.close();
  });
});

describe('tokens', () => {
  it('refreshes an expired access token, retries the send, and stores the new single-use refresh token', async () => {
    const server = await serverOn(dbFile());
    fake.expireAccessToken();
    await deliver(server, textEvent('8800112233445566778', 'dang ky tam tru o dau'));
    await server.zalo!.idle();
    expect(fake.refreshCalls).toBe(1);
    expect(fake.messages).toHaveLength(1);
    const row = await server.db.selectFrom('zalo_tokens').selectAll().executeTakeFirstOrThrow();
    expect(row.refresh_token).toBe(fake.refreshToken);
    expect(row.access_token).toBe(fake.accessToken);
    await server.close();
  });

  it('makes concurrent refreshes one', async () => {
    const server = await serverOn(dbFile());
    const tokens = server.zalo!.tokens;
    const stale = await tokens.accessToken();
    fake.expireAccessToken();
    const pairs = await Promise.all([tokens.refresh(stale), tokens.refresh(stale), tokens.refresh(stale)]);
    expect(fake.refreshCalls).toBe(1);
    expect(new Set(pairs.map((p) => p.refreshToken)).size).toBe(1);
    await server.close();
  });
});

describe('failures', () => {
  it('retries 5xx with backoff, then keeps the message in the outbox and delivers it when Zalo recovers', async () => {
    const server = await serverOn(dbFile());
    fake.fail5xx = 3; // the first try and both retries fail
    await deliver(server, textEvent('8800112233445566778', 'dang ky ket hon o dau'));
    await server.zalo!.idle();
    expect(fake.messages).toHaveLength(0);
    const [row] = await server.db.selectFrom('zalo_outbox').selectAll().execute();
    expect(row).toMatchObject({ status: 'pending', reason: 'Zalo error 502: HTTP 502', retryable: 1 });
    // Two flushes at once (the timer and a citizen's new message, or two replicas): sent once.
    fake.latencyMs = 50;
    const flushes = await Promise.all([server.zalo!.sender.flush(), server.zalo!.sender.flush()]);
    expect(flushes.reduce((n, f) => n + f.delivered, 0)).toBe(1);
    expect(fake.messages).toHaveLength(1);
    const [after] = await server.db.selectFrom('zalo_outbox').selectAll().execute();
    expect(after).toMatchObject({ status: 'delivered', attempts: 2 });
    await server.close();
  });

  it('gives up on a hanging Zalo after the timeout, without blocking other citizens for long', async () => {
    const server = await serverOn(dbFile());
    fake.hang = true;
    await deliver(server, textEvent('8800112233445566778', 'xin chao'));
    await server.zalo!.idle();
    const [row] = await server.db.selectFrom('zalo_outbox').selectAll().execute();
    expect(row?.reason).toMatch(/network error/);
    await server.close();
  });

  it('does not retry what cannot succeed (-213), and backs off on a flood (-32)', async () => {
    const server = await serverOn(dbFile());
    fake.unfollowed.add('8800000000000000002');
    await deliver(server, textEvent('8800000000000000002', 'xin chao'));
    await server.zalo!.idle();
    expect(fake.rejected.filter((r) => r.code === -213)).toHaveLength(1);
    fake.flood = true;
    await deliver(server, textEvent('8800000000000000003', 'xin chao'));
    await server.zalo!.idle();
    expect(fake.rejected.filter((r) => r.code === -32)).toHaveLength(3);
    const rows = await server.db
      .selectFrom('zalo_outbox')
      .select(['user_id', 'status'])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { user_id: '8800000000000000002', status: 'dead' },
      { user_id: '8800000000000000003', status: 'pending' },
    ]);
    await server.close();
  });

  it("keeps each citizen's replies in order when many write at once", async () => {
    const server = await serverOn(dbFile());
    fake.latencyMs = 15;
    const users = Array.from({ length: 8 }, (_, i) => `88000000000000001${i}`);
    const questions = ['dang ky ket hon o dau', 'lam cccd o dau', 'dang ky tam tru o dau'];
    await Promise.all(
      users.map(async (u) => {
        for (const q of questions) expect((await deliver(server, textEvent(u, q))).status).toBe(200);
      }),
    );
    await server.zalo!.idle();
    for (const u of users) {
      const titles = fake.messages.filter((m) => m.userId === u).map((m) => m.text.split('\n')[0]);
      expect(titles).toEqual(['Đăng ký kết hôn', 'Cấp thẻ căn cước', 'Đăng ký tạm trú']);
    }
    await server.close();
  });
});

describe('rendering for Zalo', () => {
  it('splits a long answer at sentence boundaries under 2,000 characters, losing nothing', () => {
    const sentence = 'Người dân nộp hồ sơ tại bộ phận một cửa của Ủy ban nhân dân cấp xã. ';
    const text = sentence.repeat(80).trim();
    const parts = splitText(text);
    expect(parts.length).toBe(3);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(2000);
      expect(p.endsWith('.')).toBe(true);
    }
    expect(parts.join(' ')).toBe(text);
  });

  it('puts at most five short buttons on the last part only', () => {
    const reply = emptyReply('answer', 'vi');
    reply.text.push('x'.repeat(1500), 'y'.repeat(1500));
    reply.link = { title: 'Trang chính thức', url: 'https://dichvucong.gov.vn/' };
    for (let i = 0; i < 8; i++)
      reply.buttons.push({ title: `Một nút có tiêu đề rất dài số ${i} để thử`, value: `hỏi ${i}` });
    const messages = toZaloMessages('1', reply, '');
    expect(messages).toHaveLength(2);
    expect(messages[0]?.message.attachment).toBeUndefined();
    const buttons = messages[1]?.message.attachment?.payload.buttons ?? [];
    expect(buttons).toHaveLength(5);
    for (const b of buttons) expect(b.title.length).toBeLessThanOrEqual(35);
  });
});

describe('configuration', () => {
  it('leaves the channel off, with one clear log line, when its variables are absent', async () => {
    const lines: string[] = [];
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${dbFile()}`,
      KB_SEEDS_DIR: FIXTURE_SEEDS,
    });
    const server = await startServer(
      config,
      createLogger('info', (l) => lines.push(l)),
    );
    expect(server.zalo).toBeUndefined();
    expect(lines.filter((l) => l.includes('Zalo channel off'))).toHaveLength(1);
    expect((await fetch(`${server.url}/api/zalo/webhook`, { method: 'POST' })).status).toBe(404);
    await server.close();
  });
});

describe('hand-off to 1022 from Zalo', () => {
  it('opens a ticket from a Zalo message and relays the agent through the OA API', async () => {
    const server = await serverOn(dbFile(), { HOTLINE_SCHEDULE: 'always', ZALO_TIMEOUT_MS: '3000' });
    const user = '8800112233445566779';
    await deliver(server, textEvent(user, 'gap tong dai vien'));
    await server.zalo!.idle();
    const code = /1022-\d{8}-\d{4}/.exec(fake.messages.at(-1)?.text ?? '')?.[0] as string;
    expect(code).toBeDefined();

    await server.accounts.add('lan', 'mat-khau-cua-lan', 'agent', 'Lan');
    const headers = await hotlineLogin(server.url, 'lan', 'mat-khau-cua-lan');
    const post = (action: string, body: unknown) => ticketAction(server.url, headers, code, action, body);
    expect((await post('/claim', {})).status).toBe(200);
    expect((await post('/messages', { text: 'Chào anh, anh cần hỗ trợ gì ạ?' })).status).toBe(200);
    const toUser = fake.messages.filter((m) => m.userId === user).map((m) => m.text);
    expect(toUser.at(-2)).toMatch(/Tổng đài viên Lan đã tiếp nhận/);
    expect(toUser.at(-1)).toBe('Tổng đài viên Lan: Chào anh, anh cần hỗ trợ gì ạ?');

    // The citizen's Zalo message goes to the agent, not the bot.
    const before = fake.messages.length;
    await deliver(server, textEvent(user, 'em muon hoi ve so do'));
    await server.zalo!.idle();
    expect(fake.messages.length).toBe(before);
    const messages = await server.desk.messages(await server.desk.get(code));
    expect(messages.map((m) => m.text)).toContain('em muon hoi ve so do');

    expect((await post('/resolve', { category: 'Khác', note: '' })).status).toBe(200);
    const rating = fake.messages.at(-1);
    expect(rating?.text).toMatch(/từ 1 \(kém\) đến 5/);
    expect(rating?.buttons.map((b) => b.title)).toEqual(['1', '2', '3', '4', '5']);
    await deliver(server, textEvent(user, '4'));
    await server.zalo!.idle();
    expect(fake.messages.at(-1)?.text).toMatch(/4\/5/);
    expect((await server.desk.get(code)).rating).toBe(4);
  });
});

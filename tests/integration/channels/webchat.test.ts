/**
 * The Direct Line subset against the running server: tokens, start, post,
 * poll with watermark, WebSocket push, binding and expiry, limits.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { TokenIssuer } from '../../../channels/webchat/tokens';
import { loadConfig } from '../../../app/config';
import { createLogger } from '../../../core/log';
import { startServer, type RunningServer } from '../../../app/server';
import { FIXTURE_SEEDS } from '../../helpers';
import { startTestServer } from '../../support/server';

const SECRET = 'test-secret-0123456789abcdef';
let server: RunningServer;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'webchat-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    KB_SEEDS_DIR: FIXTURE_SEEDS,
    WEBCHAT_SECRET: SECRET,
    WEBCHAT_TOKENS_PER_MINUTE: '50',
    WEBCHAT_MESSAGES_PER_MINUTE: '8',
    WEBCHAT_MAX_MESSAGE_CHARS: '200',
  });
  server = await startServer(config, createLogger('error'));
});
afterAll(async () => server.close());

interface Session {
  conversationId: string;
  userId: string;
  token: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Direct Line JSON, checked by the assertions
type Json = any;

async function call(
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function session(): Promise<Session> {
  const r = await call('POST', '/api/webchat/token');
  expect(r.status).toBe(200);
  return r.json as Session;
}

const say = (s: Session, text: string) =>
  call('POST', `/v3/directline/conversations/${s.conversationId}/activities`, s.token, {
    type: 'message',
    text,
    from: { id: 'someone-else' },
    channelData: { clientActivityID: `c-${text.length}` },
  });
/**
 * The message limit counts in fixed one-minute windows (channels/webchat/rateLimit.ts): a test that sends
 * up to the limit and then expects refusals must not straddle a window's end, where the count starts
 * again. Under a loaded CI run the test takes some seconds, so start it with at least 30 s of the
 * window left.
 */
async function awayFromWindowEdge(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 30_000) await new Promise((r) => setTimeout(r, left + 50));
}

const poll = (s: Session, watermark = '') =>
  call('GET', `/v3/directline/conversations/${s.conversationId}/activities?watermark=${watermark}`, s.token);

describe('Direct Line: the conversation', () => {
  it('starts with a welcome, answers a message, and polls from a watermark', async () => {
    const s = await session();
    const start = await call('POST', '/v3/directline/conversations', s.token, {});
    expect(start.status).toBe(201);
    expect(start.json.streamUrl).toMatch(/^ws:\/\/.+\/stream\?t=/);
    const again = await call('POST', '/v3/directline/conversations', s.token, {});
    expect(again.status).toBe(200);

    const first = await poll(s);
    expect(first.json.activities).toHaveLength(1);
    expect(first.json.activities[0].text).toContain('trợ lý ảo dịch vụ công');
    expect(first.json.watermark).toBe('1');

    const posted = await say(s, 'lam cccd o dau');
    expect(posted.status).toBe(200);
    expect(posted.json.id).toBe(`${s.conversationId}|0000001`);

    const next = await poll(s, first.json.watermark);
    const [echo, reply] = next.json.activities;
    expect(echo.from.id).toBe(s.userId); // the token's user, whatever the client claims
    expect(echo.channelData.clientActivityID).toBe('c-14');
    expect(reply.from.role).toBe('bot');
    expect(reply.replyToId).toBe(echo.id);
    expect(reply.attachments[0].content.title).toBe('Cấp thẻ căn cước');
    expect(next.json.watermark).toBe('3');
    expect((await poll(s, '3')).json.activities).toEqual([]);
  });

  it('pushes replies over the WebSocket stream, after the history from the watermark', async () => {
    const s = await session();
    const start = await call('POST', '/v3/directline/conversations', s.token, {});
    const ws = new WebSocket(start.json.streamUrl);
    const frames: Array<{
      activities: Array<{ text?: string; from: { role?: string } }>;
      watermark: string;
    }> = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d))));
    await new Promise((r) => ws.on('open', r));
    await new Promise((r) => setTimeout(r, 100));
    expect(frames[0]?.activities[0]?.text).toContain('Xin chào');
    await say(s, 'dang ky ket hon o dau');
    await new Promise((r) => setTimeout(r, 200));
    const texts = frames.flatMap((f) => f.activities.map((a) => a.from.role));
    expect(texts).toEqual(['bot', 'user', 'bot']);
    expect(frames[frames.length - 1]?.watermark).toBe('3');
    ws.close();
  });

  it('refreshes a token for the same conversation, and generates one for a backend with the secret', async () => {
    const s = await session();
    const refreshed = await call('POST', '/v3/directline/tokens/refresh', s.token);
    expect(refreshed.json.conversationId).toBe(s.conversationId);
    expect((await call('POST', '/v3/directline/tokens/generate', SECRET)).status).toBe(200);
    expect((await call('POST', '/v3/directline/tokens/generate', 'wrong')).status).toBe(403);
  });
});

describe('Direct Line: proactive messages', () => {
  it('keeps a message sent while the citizen was away for when they reconnect', async () => {
    const s = await session();
    await call('POST', '/v3/directline/conversations', s.token, {});
    const before = (await poll(s)).json.watermark as string;
    // No client is connected: a hotline reply arrives through continueConversation.
    await server.webchat.adapter.continueConversation(
      {
        channelId: 'directline',
        conversation: { id: s.conversationId, isGroup: false, conversationType: 'personal', name: '' },
        bot: { id: 'tro-ly-ao', name: 'Trợ lý ảo' },
        user: { id: s.userId, name: '' },
        serviceUrl: server.url,
      },
      async (context) => {
        await context.sendActivity('Tổng đài viên: hồ sơ của bạn đã được chuyển cho xã.');
      },
    );
    const later = await call('GET', `/v3/directline/conversations/${s.conversationId}`, s.token);
    const ws = new WebSocket(`${later.json.streamUrl}&watermark=${before}`);
    const frame = await new Promise<{ activities: Array<{ text: string }> }>((r) =>
      ws.once('message', (d) => r(JSON.parse(String(d)))),
    );
    expect(frame.activities.map((a) => a.text)).toEqual([
      'Tổng đài viên: hồ sơ của bạn đã được chuyển cho xã.',
    ]);
    ws.close();
  });
});

describe('Direct Line: tokens', () => {
  it('binds a token to its conversation: A cannot read or post to B', async () => {
    const a = await session();
    const b = await session();
    await call('POST', '/v3/directline/conversations', b.token, {});
    const read = await call('GET', `/v3/directline/conversations/${b.conversationId}/activities`, a.token);
    expect(read.status).toBe(403);
    const write = await call('POST', `/v3/directline/conversations/${b.conversationId}/activities`, a.token, {
      type: 'message',
      text: 'xin chao',
    });
    expect(write.status).toBe(403);
    const ws = new WebSocket(
      `${server.url.replace('http', 'ws')}/v3/directline/conversations/${b.conversationId}/stream?t=${a.token}`,
    );
    const status = await new Promise((r) => ws.on('unexpected-response', (_req, res) => r(res.statusCode)));
    expect(status).toBe(403);
  });

  it('answers 401 without a token and 403 for a forged or expired one', async () => {
    const s = await session();
    expect((await call('GET', `/v3/directline/conversations/${s.conversationId}/activities`)).status).toBe(
      401,
    );
    expect(
      (await call('GET', `/v3/directline/conversations/${s.conversationId}/activities`, `${s.token}x`))
        .status,
    ).toBe(403);
    const expired = new TokenIssuer(SECRET, 60, () => Date.now() - 3600_000).issue(
      s.conversationId,
      s.userId,
    ).token;
    expect(
      (await call('GET', `/v3/directline/conversations/${s.conversationId}/activities`, expired)).status,
    ).toBe(403);
  });
});

describe('Direct Line: what a client may post', () => {
  const post = (s: Session, body: unknown) =>
    call('POST', `/v3/directline/conversations/${s.conversationId}/activities`, s.token, body);
  const started = async (): Promise<{ s: Session; welcome: number }> => {
    const s = await session();
    await call('POST', '/v3/directline/conversations', s.token);
    return { s, welcome: (await poll(s)).json.activities.length };
  };

  it('refuses a text that is not a string with a Direct Line error, without running a turn', async () => {
    const { s, welcome } = await started();
    const r = await post(s, { type: 'message', text: 12345 });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 'BadArgument', message: expect.stringContaining('text') });
    expect((await poll(s)).json.activities).toHaveLength(welcome);
  });

  it('refuses a client-sent conversationUpdate or event: the welcome is not run again, nothing stored', async () => {
    const { s, welcome } = await started();
    const update = { type: 'conversationUpdate', membersAdded: [{ id: s.userId }] };
    expect((await post(s, update)).status).toBe(400);
    expect((await post(s, { type: 'event', name: 'x' })).status).toBe(400);
    expect((await poll(s)).json.activities).toHaveLength(welcome);
  });

  it('acknowledges typing without storing it', async () => {
    const { s, welcome } = await started();
    expect((await post(s, { type: 'typing' })).status).toBe(200);
    expect((await poll(s)).json.activities).toHaveLength(welcome);
  });

  it('refuses form-encoded and text bodies', async () => {
    const s = await session();
    for (const [type, body] of [
      ['application/x-www-form-urlencoded', 'type=message&text=xin+chao'],
      ['text/plain', JSON.stringify({ type: 'message', text: 'xin chao' })],
    ]) {
      const res = await fetch(`${server.url}/v3/directline/conversations/${s.conversationId}/activities`, {
        method: 'POST',
        headers: { 'content-type': type as string, authorization: `Bearer ${s.token}` },
        body,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as Json).error.code).toBe('BadArgument');
    }
    expect((await poll(s)).json.activities).toHaveLength(0);
  });
});

describe('Direct Line: personal data', () => {
  it('keeps phone, ID numbers and e-mail addresses masked in the stored history', async () => {
    const s = await session();
    const text = 'tôi là nguyen.van.a@gmail.com, CCCD 001203012345, gọi 0987 654 321';
    expect((await say(s, text)).status).toBe(200);
    const rows = await server.db
      .selectFrom('webchat_activities')
      .select('activity')
      .where('conversation_id', '=', s.conversationId)
      .execute();
    const stored = rows.map((r) => r.activity).join('\n');
    for (const secret of ['nguyen.van.a@', '001203012345', '0987 654 321'])
      expect(stored).not.toContain(secret);
    const echo = (await poll(s)).json.activities[0];
    expect(echo.text).toBe('tôi là n***@gmail.com, CCCD *********345, gọi *******321');
    expect(echo.id).toMatch(new RegExp(`^${s.conversationId}\\|`));
  });
});

describe('Direct Line: limits', () => {
  it('refuses an oversized message with 400, stores nothing of it and tells the citizen why', async () => {
    const s = await session();
    const r = await say(s, 'a'.repeat(500));
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('BadArgument');
    const list = (await poll(s)).json.activities;
    expect(list).toHaveLength(1);
    expect(list[0].text).toContain('Tin nhắn quá dài (500 ký tự)');
    expect(list[0].from.role).toBe('bot');
  });

  it('limits messages per conversation with 429 and says so once, storing none of the refused', async () => {
    await awayFromWindowEdge();
    const s = await session();
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push((await say(s, `xin chao ${i}`)).status);
    expect(statuses.slice(0, 8).every((x) => x === 200)).toBe(true);
    expect(statuses[8]).toBe(429);
    const list = (await poll(s)).json.activities;
    expect(list[list.length - 1].text).toContain('Bạn gửi nhanh quá');
    const rows = async () =>
      (
        await server.db
          .selectFrom('webchat_activities')
          .select('seq')
          .where('conversation_id', '=', s.conversationId)
          .execute()
      ).length;
    const before = await rows();
    for (let i = 0; i < 30; i++) expect((await say(s, `lap lai ${i}`)).status).toBe(429);
    expect(await rows()).toBe(before);
    const texts = (await poll(s)).json.activities.map((a: Json) => a.text);
    expect(texts.filter((t: string) => t.includes('Bạn gửi nhanh quá'))).toHaveLength(1);
    expect(texts.some((t: string) => t.startsWith('xin chao 8') || t.startsWith('lap lai'))).toBe(false);
  });

  it('refuses a body that is not an activity, and origins not allowed', async () => {
    const s = await session();
    expect(
      (
        await call('POST', `/v3/directline/conversations/${s.conversationId}/activities`, s.token, {
          text: 'x',
        })
      ).status,
    ).toBe(400);
    const res = await fetch(`${server.url}/api/webchat/token`, {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
    });
    expect(res.status).toBe(403);
  });
});

describe('Direct Line: the token limit behind one address', () => {
  let office: RunningServer;
  beforeAll(async () => {
    office = await startTestServer({ WEBCHAT_SECRET: SECRET, WEBCHAT_TOKENS_PER_MINUTE: '2' });
  });
  afterAll(async () => office.close());

  const ask = async (token?: string): Promise<{ status: number; json: Json }> => {
    const res = await fetch(`${office.url}/api/webchat/token`, {
      method: 'POST',
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return { status: res.status, json: await res.json() };
  };

  it('counts new visitors per address, and a returning browser per its own conversation', async () => {
    const first = await ask();
    expect(first.status).toBe(200);
    expect((await ask()).status).toBe(200);
    expect((await ask()).status).toBe(429); // the address's new conversations for this minute
    // A colleague's browser behind the same address comes back with its token: not refused, same conversation.
    const again = await ask(first.json.token);
    expect(again.status).toBe(200);
    expect(again.json.conversationId).toBe(first.json.conversationId);
    expect(again.json.userId).toBe(first.json.userId);
    // Its token expired an hour ago: it still resumes.
    const hourAgo = new TokenIssuer(SECRET, 60, () => Date.now() - 3600_000).issue(
      first.json.conversationId,
      first.json.userId,
    );
    expect((await ask(hourAgo.token)).json.conversationId).toBe(first.json.conversationId);
    // Its own limit is its own.
    expect((await ask(first.json.token)).status).toBe(429);
    // A forged or too old token is no token: the address's limit applies.
    const forged = new TokenIssuer('another-secret-0123456789', 60).issue('x', 'y').token;
    expect((await ask(forged)).status).toBe(429);
    const old = new TokenIssuer(SECRET, 60, () => Date.now() - 3 * 86400_000).issue(
      first.json.conversationId,
      first.json.userId,
    );
    expect((await ask(old.token)).status).toBe(429);
  });
});

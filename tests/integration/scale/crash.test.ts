/**
 * Nothing the hot path saves is lost to a crash: on SQLite, a server killed
 * with SIGKILL right after it answered a burst of web-chat messages (ten
 * conversations at once) has every citizen's and bot's activity, every
 * transcript line and the last state of every conversation in its database.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { newSession, say, startConversation, type Session } from '../../support/directline';
import { startReplica, type Replica } from '../../support/replica';

jest.setTimeout(120_000);

const QUESTIONS = ['lam cccd o dau', 'đăng ký kết hôn cần giấy tờ gì', 'lệ phí đăng ký khai sinh'];

describe('a crash right after the answers', () => {
  let server: Replica;
  const dataDir = mkdtempSync(join(tmpdir(), 'crash-'));

  afterAll(async () => {
    await server?.stop('SIGKILL');
  });

  it('loses no activity, transcript line or state write', async () => {
    server = await startReplica({
      DATA_DIR: dataDir,
      WEBCHAT_SECRET: 'crash-test-secret-0123456789',
      WEBCHAT_MESSAGES_PER_MINUTE: '1000',
      WEBCHAT_TOKENS_PER_MINUTE: '1000',
    });
    const sessions: Session[] = [];
    for (let i = 0; i < 10; i++) {
      const s = await newSession(server.url);
      await startConversation(server.url, s);
      sessions.push(s);
    }
    const perConversation = 6;
    await Promise.all(
      sessions.map(async (s, i) => {
        for (let n = 0; n < perConversation; n++) {
          const r = await say(server.url, s, QUESTIONS[(i + n) % QUESTIONS.length] as string);
          expect(r.status).toBe(200);
        }
      }),
    );
    await server.stop('SIGKILL');
    expect((await server.exited).signal).toBe('SIGKILL');

    const db = new SQLite(join(dataDir, 'assistant.db'), { readonly: true });
    try {
      sessions.forEach((s, i) => {
        const activities = db
          .prepare('select activity from webchat_activities where conversation_id = ? order by seq')
          .all(s.conversationId) as Array<{ activity: string }>;
        const roles = activities.map((a) => (JSON.parse(a.activity) as { from: { role: string } }).from.role);
        // the welcome, then each question and its answer
        expect(roles.filter((r) => r === 'user')).toHaveLength(perConversation);
        expect(roles.filter((r) => r === 'bot').length).toBeGreaterThanOrEqual(perConversation + 1);
        const transcript = db
          .prepare('select role from transcripts where conversation_id = ?')
          .all(s.conversationId) as Array<{ role: string }>;
        expect(transcript.filter((t) => t.role === 'user')).toHaveLength(perConversation);
        expect(transcript.filter((t) => t.role === 'bot').length).toBeGreaterThanOrEqual(perConversation);
        const state = db
          .prepare("select data from bot_state where key like '%' || ? || '%'")
          .all(s.conversationId) as Array<{
          data: string;
        }>;
        const memory = state
          .map((r) => (JSON.parse(r.data) as { memory?: { lastQuestion?: string } }).memory)
          .find((m) => m);
        expect(memory?.lastQuestion).toBe(QUESTIONS[(i + perConversation - 1) % QUESTIONS.length]);
      });
    } finally {
      db.close();
    }
  });
});

/**
 * Web chat round-trip latency through this server's Direct Line: for 100
 * conversations, the time from posting a citizen's message to seeing the
 * bot's reply, by polling (GET activities every 50 ms) and over the
 * WebSocket stream. Writes bench-results/webchat.json.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { loadConfig } from '../app/config';
import { createLogger } from '../core/log';
import { startServer, type RunningServer } from '../app/server';

const CONVERSATIONS = 100;
const QUESTIONS = [
  'lam cccd o dau',
  'đăng ký kết hôn cần giấy tờ gì',
  'lệ phí đăng ký khai sinh',
  'tra cứu hồ sơ',
];

interface Session {
  conversationId: string;
  token: string;
  streamUrl: string;
}

async function json<T>(
  server: RunningServer,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status}`);
  return (await res.json()) as T;
}

async function open(server: RunningServer): Promise<Session> {
  const t = await json<{ token: string; conversationId: string }>(
    server,
    'POST',
    '/v3/directline/tokens/generate',
    SECRET,
  );
  const c = await json<{ streamUrl: string }>(server, 'POST', '/v3/directline/conversations', t.token, {});
  return { conversationId: t.conversationId, token: t.token, streamUrl: c.streamUrl };
}

const post = (server: RunningServer, s: Session, text: string) =>
  json(server, 'POST', `/v3/directline/conversations/${s.conversationId}/activities`, s.token, {
    type: 'message',
    text,
  });

async function pollingRoundTrip(server: RunningServer, s: Session, text: string): Promise<number> {
  const before = await json<{ watermark: string }>(
    server,
    'GET',
    `/v3/directline/conversations/${s.conversationId}/activities`,
    s.token,
  );
  const t0 = performance.now();
  void post(server, s, text);
  for (;;) {
    const r = await json<{ activities: Array<{ from: { role?: string } }> }>(
      server,
      'GET',
      `/v3/directline/conversations/${s.conversationId}/activities?watermark=${before.watermark}`,
      s.token,
    );
    if (r.activities.some((a) => a.from.role === 'bot')) return performance.now() - t0;
    await new Promise((res) => setTimeout(res, 50));
  }
}

async function socketRoundTrip(server: RunningServer, s: Session, text: string): Promise<number> {
  const ws = new WebSocket(s.streamUrl);
  await new Promise((r) => ws.once('open', r));
  await new Promise((r) => setTimeout(r, 20)); // let the history frame pass
  const t0 = performance.now();
  const done = new Promise<number>((resolveDone) => {
    ws.on('message', (d) => {
      const frame = JSON.parse(String(d)) as {
        activities: Array<{ from: { role?: string }; replyToId?: string }>;
      };
      if (frame.activities.some((a) => a.from.role === 'bot' && a.replyToId))
        resolveDone(performance.now() - t0);
    });
  });
  void post(server, s, text);
  const ms = await done;
  ws.close();
  return ms;
}

function summary(times: number[]): { n: number; p50Ms: number; p99Ms: number; maxMs: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number): number =>
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0) * 10) / 10;
  return { n: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1) };
}

const SECRET = 'bench-secret-0123456789';

async function main(): Promise<void> {
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-webchat-')),
    WEBCHAT_SECRET: SECRET,
    WEBCHAT_MESSAGES_PER_MINUTE: '1000',
  });
  const server = await startServer(config, createLogger('error'));
  try {
    const polling: number[] = [];
    const socket: number[] = [];
    for (let i = 0; i < CONVERSATIONS; i++) {
      const s = await open(server);
      polling.push(await pollingRoundTrip(server, s, QUESTIONS[i % QUESTIONS.length] as string));
      socket.push(await socketRoundTrip(server, s, QUESTIONS[(i + 1) % QUESTIONS.length] as string));
    }
    const report = {
      date: new Date().toISOString(),
      conversations: CONVERSATIONS,
      note: 'post → bot reply seen; polling every 50 ms; one conversation at a time; SQLite file',
      polling: summary(polling),
      websocket: summary(socket),
    };
    const out = resolve('bench-results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'webchat.json'), JSON.stringify(report, null, 2) + '\n');
    console.log('web chat round trip          n   p50 ms   p99 ms   max ms');
    for (const [name, r] of [
      ['polling (50 ms interval)', report.polling],
      ['WebSocket stream', report.websocket],
    ] as const) {
      console.log(
        `${name.padEnd(26)} ${String(r.n).padStart(3)} ${r.p50Ms.toFixed(1).padStart(8)} ${r.p99Ms.toFixed(1).padStart(8)} ${r.maxMs.toFixed(1).padStart(8)}`,
      );
    }
    console.log(`written: ${join(out, 'webchat.json')}`);
  } finally {
    await server.close();
  }
}

if (require.main === module) void main();

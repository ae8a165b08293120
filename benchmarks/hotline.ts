/**
 * Hotline reply latency: the time from an agent's "Gửi" (POST
 * /hotline/api/tickets/{code}/messages) to the message arriving on the
 * citizen's Direct Line WebSocket, over 100 messages, plus the time to open
 * a ticket and to claim it. Writes bench-results/hotline.json.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { loadConfig } from '../app/config';
import { createLogger } from '../core/log';
import { startServer, type RunningServer } from '../app/server';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100);
const SECRET = 'bench-secret-0123456789';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API JSON
type Json = any;

async function call(
  server: RunningServer,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ json: Json; headers: Headers }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return { json: await res.json(), headers: res.headers };
}

function summary(times: number[]): { n: number; p50Ms: number; p99Ms: number; maxMs: number } {
  const s = [...times].sort((a, b) => a - b);
  const at = (p: number): number =>
    Number((s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? 0).toFixed(2));
  return { n: s.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1) };
}

type Server = Awaited<ReturnType<typeof startServer>>;

/** A citizen in Web Chat: a Direct Line conversation whose replies are watched for a given text. */
async function citizenChat(server: Server) {
  const bearer = { authorization: `Bearer ${SECRET}` };
  const t = (await call(server, 'POST', '/v3/directline/tokens/generate', bearer)).json;
  const auth = { authorization: `Bearer ${t.token}` };
  const conv = (await call(server, 'POST', '/v3/directline/conversations', auth, {})).json;
  const ws = new WebSocket(conv.streamUrl);
  const arrivals = new Map<string, (at: number) => void>();
  ws.on('message', (data) => {
    const at = performance.now();
    const frame = data.toString();
    if (!frame) return;
    for (const a of (JSON.parse(frame) as Json).activities ?? []) {
      const text: string = a.text ?? '';
      for (const [key, done] of arrivals) if (text.includes(key)) done(at);
    }
  });
  await new Promise((r) => ws.once('open', r));
  return {
    /** When a reply containing `key` arrives on the stream. */
    wait: (key: string): Promise<number> =>
      new Promise((r) => arrivals.set(key, (at) => (arrivals.delete(key), r(at)))),
    say: (text: string) =>
      call(server, 'POST', `/v3/directline/conversations/${t.conversationId}/activities`, auth, {
        type: 'message',
        text,
        from: { id: 'x' },
      }),
    close: () => ws.close(),
  };
}

/** An agent logged in to the console: the cookie and CSRF token its writes need. */
async function agentSession(server: Server): Promise<Record<string, string>> {
  const login = await call(
    server,
    'POST',
    '/hotline/api/login',
    {},
    { username: 'bench', password: 'bench-password-1' },
  );
  return {
    cookie: (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
    'x-csrf-token': login.json.csrf,
  };
}

async function main(): Promise<void> {
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-hotline-')),
    WEBCHAT_SECRET: SECRET,
    WEBCHAT_MESSAGES_PER_MINUTE: '100000',
    HOTLINE_SCHEDULE: 'always',
    HOTLINE_ADMIN_USER: 'bench',
    HOTLINE_ADMIN_PASSWORD: 'bench-password-1',
    LOG_LEVEL: 'error',
  });
  const server = await startServer(config, createLogger('error'));
  try {
    const citizen = await citizenChat(server);
    const wait = citizen.wait;
    const openStart = performance.now();
    const opened = wait('Mã yêu cầu');
    await citizen.say('cho tôi gặp tổng đài viên');
    const openMs = (await opened) - openStart;

    const agent = await agentSession(server);
    const code = (await call(server, 'GET', '/hotline/api/tickets?status=waiting', agent)).json.tickets[0]
      .code;
    const claimStart = performance.now();
    const claimed = wait('đã tiếp nhận');
    await call(server, 'POST', `/hotline/api/tickets/${code}/claim`, agent, {});
    const claimMs = (await claimed) - claimStart;

    const times: number[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const key = `tin nhắn số ${i}.`;
      const start = performance.now();
      const arrived = wait(key);
      await call(server, 'POST', `/hotline/api/tickets/${code}/messages`, agent, {
        text: `Dạ, ${key} Anh chờ chút ạ.`,
      });
      times.push((await arrived) - start);
    }
    citizen.close();
    const report = {
      benchmark: 'hotline agent reply → citizen Web Chat (Direct Line WebSocket)',
      date: new Date().toISOString(),
      node: process.version,
      database: 'SQLite (file, WAL)',
      openTicketMs: Number(openMs.toFixed(2)),
      claimToCitizenMs: Number(claimMs.toFixed(2)),
      reply: summary(times),
    };
    const out = resolve('bench-results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'hotline.json'), JSON.stringify(report, null, 2) + '\n');
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await server.close();
  }
}

main().catch((e: Error) => {
  console.error(e);
  process.exit(1);
});

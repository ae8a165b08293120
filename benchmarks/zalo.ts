/**
 * Zalo webhook-to-send latency with 50 citizens writing at once: from the
 * signed webhook POST to the reply arriving at a fake Zalo API on loopback
 * (which checks tokens and payloads like Zalo). Writes bench-results/zalo.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FakeZalo, signedTextEvent } from '../tests/support/fakeZalo';
import { SERVER_NODE_FLAGS } from '../app/nodeFlags';

const USERS = Number(process.env.BENCH_USERS ?? 50);
const MESSAGES_PER_USER = 10;
/** Pause between a citizen's messages (reading the answer), ms; 0 = saturation test. */
const THINK_MS = Number(process.env.BENCH_THINK_MS ?? 0);
const QUESTIONS = [
  'lam cccd o dau',
  'đăng ký kết hôn cần giấy tờ gì',
  'lệ phí đăng ký khai sinh',
  'thủ tục đăng ký tạm trú',
];

/** The assistant as its own process, as in production; resolves with its URL once it listens. */
async function startAssistant(fake: FakeZalo): Promise<{ child: ReturnType<typeof spawn>; url: string }> {
  // BENCH_NODE_ARGS passes flags to the assistant's process (e.g. --cpu-prof).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    [...SERVER_NODE_FLAGS, ...nodeArgs, '--disable-warning=DEP0111', join(__dirname, '..', 'app', 'main.js')],
    {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-zalo-')),
        ...fake.env(),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const url = await new Promise<string>((resolveUrl, reject) => {
    let buffer = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      buffer += d;
      const m = /"msg":"listening","url":"([^"]+)"/.exec(buffer);
      if (m) resolveUrl(m[1] as string);
    });
    child.on('exit', (code) => reject(new Error(`assistant exited with ${code}: ${buffer}`)));
  });
  return { child, url };
}

/** One citizen: MESSAGES_PER_USER signed webhooks, each waiting for the answer at the fake Zalo API. */
async function citizen(url: string, fake: FakeZalo, u: number, latencies: number[]): Promise<void> {
  const user = String(8800000000000000000n + BigInt(u));
  // Citizens do not all start in the same millisecond.
  if (THINK_MS) await new Promise((r) => setTimeout(r, THINK_MS * Math.random()));
  for (let i = 0; i < MESSAGES_PER_USER; i++) {
    const text = QUESTIONS[(u + i) % QUESTIONS.length]!;
    const { raw, headers } = signedTextEvent(user, `bench-${u}-${i}-${Date.now()}`, text);
    // One message at a time per citizen, as a person types: wait for the answer.
    const answered = fake.next(user);
    const sent = Date.now();
    await fetch(`${url}/api/zalo/webhook`, {
      method: 'POST',
      headers,
      body: raw,
    });
    latencies.push((await answered).at - sent);
    if (THINK_MS) await new Promise((r) => setTimeout(r, THINK_MS * (0.5 + Math.random())));
  }
}

export async function main(): Promise<void> {
  const fake = await new FakeZalo().start();
  // The fake Zalo and the citizens' load share this process.
  const { child, url } = await startAssistant(fake);
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: USERS }, (_, u) => citizen(url, fake, u, latencies)));
  const wall = performance.now() - t0;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await fake.stop();
  const sorted = latencies.sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  const report = {
    date: new Date().toISOString(),
    users: USERS,
    messages: sorted.length,
    thinkMs: THINK_MS,
    note: 'signed webhook POST → reply received by the fake Zalo API; citizens at once, each waiting for its answer (and thinking THINK_MS) before the next; assistant in its own process',
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: at(1),
    messagesPerSecond: Math.round((sorted.length / wall) * 1000),
  };
  const out = resolve('bench-results');
  mkdirSync(out, { recursive: true });
  const file = join(out, THINK_MS ? 'zalo-think.json' : 'zalo.json');
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  console.log(
    `zalo webhook → send, ${USERS} concurrent citizens, think ${THINK_MS} ms, ${report.messages} messages: p50 ${report.p50Ms} ms, p99 ${report.p99Ms} ms, max ${report.maxMs} ms, ${report.messagesPerSecond} msg/s`,
  );
  console.log(`written: ${file}`);
}

if (require.main === module) void main();

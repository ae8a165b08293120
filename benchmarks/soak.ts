/**
 * Soak: ten minutes (BENCH_SOAK_SECONDS, default 600) of mixed traffic
 * against one assistant process (benchmarks/soakServer.ts, the real
 * knowledge base, SQLite, the V8 flags of `npm start` (app/nodeFlags.ts)
 * or BENCH_SOAK_NODE_ARGS): web chat over Direct Line (a new conversation every 10 messages), Bot
 * Framework `/api/messages` (replies posted to a connector stub), Zalo
 * webhooks answered through the fake Zalo API, and an agent reading the
 * hotline console. Every 10 s the server's RSS and its heap after a forced
 * full GC are sampled.
 *
 * Verdict: after the warm-up (the first fifth, at most 2 minutes), the
 * least-squares slope of heap-after-GC over time must stay under 1 MB/min.
 * A cache without a bound or a leak grows with the requests, which here
 * run at a steady rate: one that kept even 100 bytes a request would show
 * several MB/min; 1 MB/min is 8 MB over the last 8 minutes, well above the
 * noise of a forced-GC sample (tenths of a MB) and well below any real
 * growth. Writes bench-results/soak.json.
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FakeZalo, signedTextEvent } from '../tests/support/fakeZalo';
import { startConnectorStub } from './load';
import type { MemorySample } from './soakServer';
import { SERVER_NODE_FLAGS } from '../app/nodeFlags';

const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const SAMPLE_MS = 10_000;
/** The server's V8 flags besides --expose-gc: those of `npm start` unless BENCH_SOAK_NODE_ARGS says otherwise. */
const NODE_ARGS = process.env.BENCH_SOAK_NODE_ARGS ?? SERVER_NODE_FLAGS.join(' ');
const WARMUP_S = Math.min(120, SECONDS / 5);
const THRESHOLD_MB_PER_MIN = 1;
const SECRET = 'soak-secret-0123456789';
/** Pause between one worker's requests, ms: steady load, not saturation (the CPU is shared). */
const PAUSE_MS = Number(process.env.BENCH_SOAK_PAUSE_MS ?? 20);
const QUESTIONS = [
  'lam cccd o dau',
  'đăng ký kết hôn cần giấy tờ gì',
  'lệ phí đăng ký khai sinh',
  'thủ tục đăng ký tạm trú',
  'số của tôi là 0912 345 678, email an.nguyen@example.vn',
  'cấp lại hộ chiếu mất bao lâu',
  'xin chào',
];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Least-squares slope of y over x. */
export function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

type ChildProcess = ReturnType<typeof fork>;

/** Start the assistant in a child process (with --expose-gc) and learn its URL. */
async function startSoakServer(fake: FakeZalo): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(join(__dirname, 'soakServer.js'), [], {
    execArgv: ['--expose-gc', ...NODE_ARGS.split(' ').filter(Boolean), '--disable-warning=DEP0111'],
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-soak-')),
      WEBCHAT_SECRET: SECRET,
      WEBCHAT_MESSAGES_PER_MINUTE: '100000',
      WEBCHAT_TOKENS_PER_MINUTE: '100000',
      HOTLINE_SCHEDULE: 'always',
      HOTLINE_ADMIN_USER: 'soak',
      HOTLINE_ADMIN_PASSWORD: 'soak-password-1',
      ...fake.env(),
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((ok, fail) => {
    child.once('message', (m: { url: string }) => ok(m.url));
    child.once('exit', (code) => fail(new Error(`soak server exited with ${code}`)));
  });
  return { child, url };
}

/** Ask the child for a memory sample (taken after forced full GCs). */
function sampleOf(child: ChildProcess): Promise<MemorySample> {
  return new Promise((ok) => {
    const on = (m: { type: string; sample: MemorySample }): void => {
      if (m.type !== 'sample') return;
      child.off('message', on);
      ok(m.sample);
    };
    child.on('message', on);
    child.send({ type: 'sample' });
  });
}

type Counts = { webchat: number; api: number; zalo: number; console: number; errors: number };

/** The mixed traffic: each kind of client is a method; `guard` repeats one until stopped. */
class Traffic {
  readonly counts: Counts = { webchat: 0, api: 0, zalo: 0, console: 0, errors: 0 };
  stopped = false;
  private apiN = 0;
  private zaloN = 0;
  private agent: Record<string, string> | undefined;

  constructor(
    private readonly url: string,
    private readonly serviceUrl: string,
    private readonly fake: FakeZalo,
  ) {}

  private post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  async guard(kind: keyof Counts, work: () => Promise<void>): Promise<void> {
    while (!this.stopped) {
      try {
        await work();
        // A web-chat worker counts each message itself (a conversation is ten).
        if (kind !== 'webchat') this.counts[kind]++;
      } catch {
        this.counts.errors++;
      }
      await sleep(PAUSE_MS);
    }
  }

  /** A web-chat conversation over Direct Line: ten messages, then its history. */
  readonly webchat = async (): Promise<void> => {
    const s = (await (await this.post('/api/webchat/token', {})).json()) as {
      conversationId: string;
      userId: string;
      token: string;
    };
    const auth = { authorization: `Bearer ${s.token}` };
    await this.post('/v3/directline/conversations', {}, auth);
    for (let i = 0; i < 10 && !this.stopped; i++) {
      const r = await this.post(
        `/v3/directline/conversations/${s.conversationId}/activities`,
        { type: 'message', text: QUESTIONS[i % QUESTIONS.length], from: { id: s.userId } },
        auth,
      );
      if (r.status !== 200) throw new Error(`web chat ${r.status}`);
      await r.arrayBuffer();
      this.counts.webchat++;
      await sleep(PAUSE_MS);
    }
    const history = await fetch(`${this.url}/v3/directline/conversations/${s.conversationId}/activities`, {
      headers: auth,
    });
    await history.arrayBuffer();
  };

  /** A Bot Framework activity on /api/messages, the replies posted to the connector stub. */
  readonly api = async (): Promise<void> => {
    const n = this.apiN++;
    const r = await this.post('/api/messages', {
      type: 'message',
      id: `soak-${n}`,
      channelId: 'emulator',
      serviceUrl: this.serviceUrl,
      from: { id: `user-${Math.floor(n / 10)}`, role: 'user' },
      recipient: { id: 'bot', role: 'bot' },
      conversation: { id: `soak-${Math.floor(n / 10)}` },
      text: QUESTIONS[n % QUESTIONS.length],
      locale: 'vi-VN',
      timestamp: new Date().toISOString(),
    });
    await r.arrayBuffer();
    if (r.status >= 300) throw new Error(`api ${r.status}`);
  };

  /** A signed Zalo webhook, waited for until the fake Zalo API received the answer. */
  readonly zalo = async (): Promise<void> => {
    const n = this.zaloN++;
    const user = String(8800000000000000000n + BigInt(Math.floor(n / 10)));
    const { raw, headers } = signedTextEvent(user, `soak-${n}`, QUESTIONS[n % QUESTIONS.length]!);
    const answered = this.fake.next(user);
    const r = await fetch(`${this.url}/api/zalo/webhook`, {
      method: 'POST',
      headers,
      body: raw,
    });
    await r.arrayBuffer();
    await answered;
    // The fake keeps what it received; the soak measures the assistant, not the fake.
    this.fake.messages.length = 0;
  };

  /** An agent's console: the queue, the dashboard, who is logged in. */
  readonly hotline = async (): Promise<void> => {
    if (!this.agent) {
      const r = await this.post('/hotline/api/login', { username: 'soak', password: 'soak-password-1' });
      const { csrf } = (await r.json()) as { csrf: string };
      this.agent = { cookie: (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '', 'x-csrf-token': csrf };
    }
    for (const path of ['/hotline/api/tickets', '/hotline/api/stats', '/hotline/api/me']) {
      const r = await fetch(`${this.url}${path}`, { headers: this.agent });
      await r.arrayBuffer();
    }
    await sleep(500);
  };

  /** Three web-chat workers, two of /api/messages, two of Zalo and one agent. */
  start(): Promise<void[]> {
    return Promise.all([
      ...Array.from({ length: 3 }, () => this.guard('webchat', this.webchat)),
      ...Array.from({ length: 2 }, () => this.guard('api', this.api)),
      ...Array.from({ length: 2 }, () => this.guard('zalo', this.zalo)),
      this.guard('console', this.hotline),
    ]);
  }
}

type Sample = { t: number } & MemorySample;

/** The verdict: the slope of heap-after-GC after warm-up, with the samples that give it. */
function soakReport(samples: Sample[], counts: Counts) {
  const after = samples.filter((s) => s.t >= WARMUP_S);
  const heapSlope = slope(after.map((s) => [s.t / 60, s.heapUsedMb]));
  const rssSlope = slope(after.map((s) => [s.t / 60, s.rssMb]));
  const first = samples[0]!;
  const warm = after[0] ?? first;
  const last = samples[samples.length - 1]!;
  return {
    date: new Date().toISOString(),
    seconds: SECONDS,
    warmupSeconds: WARMUP_S,
    sampleEverySeconds: SAMPLE_MS / 1000,
    nodeArgs: `--expose-gc ${NODE_ARGS}`,
    note: 'heap = heapUsed after two forced full GCs; slope = least-squares over the samples after warm-up',
    requests: counts,
    start: { rssMb: first.rssMb, heapUsedMb: first.heapUsedMb },
    afterWarmup: { rssMb: warm.rssMb, heapUsedMb: warm.heapUsedMb },
    end: { rssMb: last.rssMb, heapUsedMb: last.heapUsedMb },
    peakRssMb: Math.max(...samples.map((s) => s.rssMb)),
    heapSlopeMbPerMin: Number(heapSlope.toFixed(3)),
    rssSlopeMbPerMin: Number(rssSlope.toFixed(3)),
    thresholdMbPerMin: THRESHOLD_MB_PER_MIN,
    verdict: heapSlope < THRESHOLD_MB_PER_MIN ? 'flat' : 'growing',
    samples,
  };
}

async function main(): Promise<void> {
  const fake = await new FakeZalo().start();
  // The Bot Framework connector stub: takes every reply the bot posts.
  const { server: connector, port: connectorPort } = await startConnectorStub();
  const { child, url } = await startSoakServer(fake);
  const traffic = new Traffic(url, `http://127.0.0.1:${connectorPort}`, fake);
  const counts = traffic.counts;
  const t0 = Date.now();
  const samples: Sample[] = [{ t: 0, ...(await sampleOf(child)) }];
  console.log(
    `soak: ${SECONDS} s against ${url}; start rss ${samples[0]!.rssMb} MB heap ${samples[0]!.heapUsedMb} MB`,
  );
  const workers = traffic.start();
  while (Date.now() - t0 < SECONDS * 1000) {
    await sleep(Math.min(SAMPLE_MS, SECONDS * 1000 - (Date.now() - t0)));
    const s = { t: Math.round((Date.now() - t0) / 1000), ...(await sampleOf(child)) };
    samples.push(s);
    console.log(
      `soak: t=${s.t}s rss ${s.rssMb} MB heap ${s.heapUsedMb} MB (webchat ${counts.webchat}, api ${counts.api}, zalo ${counts.zalo}, console ${counts.console}, errors ${counts.errors})`,
    );
  }
  traffic.stopped = true;
  await workers;
  child.send({ type: 'stop' });
  await new Promise((r) => child.once('exit', r));
  connector.close();
  await fake.stop();

  const report = soakReport(samples, counts);
  const out = resolve('bench-results');
  mkdirSync(out, { recursive: true });
  const file = join(out, 'soak.json');
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  console.log(
    `soak: heap ${report.start.heapUsedMb} → ${report.end.heapUsedMb} MB, rss ${report.start.rssMb} → ${report.end.rssMb} MB; heap slope after warm-up ${report.heapSlopeMbPerMin} MB/min (threshold ${THRESHOLD_MB_PER_MIN}): ${report.verdict}; wrote ${file}`,
  );
  if (report.verdict !== 'flat') process.exitCode = 1;
}

void main().catch((e: Error) => {
  console.error(e);
  process.exit(1);
});

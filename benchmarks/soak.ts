/**
 * Soak: ten minutes (BENCH_SOAK_SECONDS, default 600) of mixed traffic
 * against one assistant process (benchmarks/soakServer.ts, the real
 * knowledge base, SQLite, `--max-semi-space-size=64` as `npm start`, or
 * BENCH_SOAK_NODE_ARGS): web
 * chat over Direct Line (a new conversation every 10 messages), Bot
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
import { zaloMac } from '../channels/zalo/webhook';
import { APP_ID, FakeZalo, OA_ID, OA_SECRET } from '../tests/support/fakeZalo';
import { startConnectorStub } from './load';
import type { MemorySample } from './soakServer';

const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const SAMPLE_MS = 10_000;
/** The server's V8 flags besides --expose-gc: those of `npm start` unless BENCH_SOAK_NODE_ARGS says otherwise. */
const NODE_ARGS = process.env.BENCH_SOAK_NODE_ARGS ?? '--max-semi-space-size=64';
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

async function main(): Promise<void> {
  const fake = await new FakeZalo().start();
  // The Bot Framework connector stub: takes every reply the bot posts.
  const { server: connector, port: connectorPort } = await startConnectorStub();
  const serviceUrl = `http://127.0.0.1:${connectorPort}`;

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
  const sample = (): Promise<MemorySample> =>
    new Promise((ok) => {
      const on = (m: { type: string; sample: MemorySample }): void => {
        if (m.type !== 'sample') return;
        child.off('message', on);
        ok(m.sample);
      };
      child.on('message', on);
      child.send({ type: 'sample' });
    });

  const counts = { webchat: 0, api: 0, zalo: 0, console: 0, errors: 0 };
  let stop = false;
  const t0 = Date.now();
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const guard = async (kind: keyof typeof counts, work: () => Promise<void>): Promise<void> => {
    while (!stop) {
      try {
        await work();
        // A web-chat worker counts each message itself (a conversation is ten).
        if (kind !== 'webchat') counts[kind]++;
      } catch {
        counts.errors++;
      }
      await sleep(PAUSE_MS);
    }
  };

  const webchat = async (): Promise<void> => {
    const s = (await (await post('/api/webchat/token', {})).json()) as {
      conversationId: string;
      userId: string;
      token: string;
    };
    const auth = { authorization: `Bearer ${s.token}` };
    await post('/v3/directline/conversations', {}, auth);
    for (let i = 0; i < 10 && !stop; i++) {
      const r = await post(
        `/v3/directline/conversations/${s.conversationId}/activities`,
        { type: 'message', text: QUESTIONS[i % QUESTIONS.length], from: { id: s.userId } },
        auth,
      );
      if (r.status !== 200) throw new Error(`web chat ${r.status}`);
      await r.arrayBuffer();
      counts.webchat++;
      await sleep(PAUSE_MS);
    }
    const history = await fetch(`${url}/v3/directline/conversations/${s.conversationId}/activities`, {
      headers: auth,
    });
    await history.arrayBuffer();
  };
  let apiN = 0;
  const api = async (): Promise<void> => {
    const n = apiN++;
    const r = await post('/api/messages', {
      type: 'message',
      id: `soak-${n}`,
      channelId: 'emulator',
      serviceUrl,
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
  let zaloN = 0;
  const zalo = async (): Promise<void> => {
    const n = zaloN++;
    const user = String(8800000000000000000n + BigInt(Math.floor(n / 10)));
    const event = {
      app_id: APP_ID,
      event_name: 'user_send_text',
      timestamp: String(Date.now()),
      sender: { id: user },
      recipient: { id: OA_ID },
      message: { msg_id: `soak-${n}`, text: QUESTIONS[n % QUESTIONS.length] },
    };
    const raw = JSON.stringify(event);
    const mac = zaloMac(APP_ID, Buffer.from(raw), event.timestamp, OA_SECRET);
    const answered = fake.next(user);
    const r = await fetch(`${url}/api/zalo/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-zevent-signature': `mac=${mac}` },
      body: raw,
    });
    await r.arrayBuffer();
    await answered;
    // The fake keeps what it received; the soak measures the assistant, not the fake.
    fake.messages.length = 0;
  };
  let agent: Record<string, string> | undefined;
  const hotline = async (): Promise<void> => {
    if (!agent) {
      const r = await post('/hotline/api/login', { username: 'soak', password: 'soak-password-1' });
      const { csrf } = (await r.json()) as { csrf: string };
      agent = { cookie: (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '', 'x-csrf-token': csrf };
    }
    for (const path of ['/hotline/api/tickets', '/hotline/api/stats', '/hotline/api/me']) {
      const r = await fetch(`${url}${path}`, { headers: agent });
      await r.arrayBuffer();
    }
    await sleep(500);
  };

  const samples: Array<{ t: number } & MemorySample> = [{ t: 0, ...(await sample()) }];
  console.log(
    `soak: ${SECONDS} s against ${url}; start rss ${samples[0]!.rssMb} MB heap ${samples[0]!.heapUsedMb} MB`,
  );
  const workers = [
    ...Array.from({ length: 3 }, () => guard('webchat', webchat)),
    ...Array.from({ length: 2 }, () => guard('api', api)),
    ...Array.from({ length: 2 }, () => guard('zalo', zalo)),
    guard('console', hotline),
  ];
  while (Date.now() - t0 < SECONDS * 1000) {
    await sleep(Math.min(SAMPLE_MS, SECONDS * 1000 - (Date.now() - t0)));
    const s = { t: Math.round((Date.now() - t0) / 1000), ...(await sample()) };
    samples.push(s);
    console.log(
      `soak: t=${s.t}s rss ${s.rssMb} MB heap ${s.heapUsedMb} MB (webchat ${counts.webchat}, api ${counts.api}, zalo ${counts.zalo}, console ${counts.console}, errors ${counts.errors})`,
    );
  }
  stop = true;
  await Promise.all(workers);
  child.send({ type: 'stop' });
  await new Promise((r) => child.once('exit', r));
  connector.close();
  await fake.stop();

  const after = samples.filter((s) => s.t >= WARMUP_S);
  const heapSlope = slope(after.map((s) => [s.t / 60, s.heapUsedMb]));
  const rssSlope = slope(after.map((s) => [s.t / 60, s.rssMb]));
  const first = samples[0]!;
  const warm = after[0] ?? first;
  const last = samples[samples.length - 1]!;
  const report = {
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
  const out = resolve('bench-results');
  mkdirSync(out, { recursive: true });
  const file = join(out, 'soak.json');
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  console.log(
    `soak: heap ${first.heapUsedMb} → ${last.heapUsedMb} MB, rss ${first.rssMb} → ${last.rssMb} MB; heap slope after warm-up ${report.heapSlopeMbPerMin} MB/min (threshold ${THRESHOLD_MB_PER_MIN}): ${report.verdict}; wrote ${file}`,
  );
  if (report.verdict !== 'flat') process.exitCode = 1;
}

void main().catch((e: Error) => {
  console.error(e);
  process.exit(1);
});

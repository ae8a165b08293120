/**
 * `npm run bench` (turn throughput): turns per second and latency at 10
 * keep-alive connections, with the baselines measured in the same run on
 * the same machine, so that the figures are read as ratios:
 *
 * - bare restify (a GET answered with a short JSON body);
 * - a bare botbuilder echo bot (CloudAdapter on restify, no app id) with
 *   `deliveryMode: expectReplies`, and the same echo bot replying through a
 *   connector: a tiny loopback connector server in the bot's process that
 *   accepts `POST /v3/conversations/:id/activities/:replyToId`;
 * - this project's `/api/messages` with `expectReplies` and its Direct Line
 *   (`POST …/activities` answers after the turn, once the reply is stored).
 *
 * Each target runs in its own child process (the load generator is this
 * process); targets are measured round-robin, `BENCH_REPEATS` times (3), and
 * the median of each is reported. Writes bench-results/throughput.json.
 *
 * Environment: BENCH_SECONDS (10), BENCH_CONNECTIONS (10), BENCH_REPEATS (3),
 * BENCH_TARGETS (comma-separated subset), BENCH_PROFILE_DIR (a CPU profile of
 * each target process, `node --cpu-prof`), BENCH_NODE_ARGS (more V8 flags for
 * every target process, after those of `npm start`: app/nodeFlags.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ActivityHandler,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Request as BotRequest,
  type Response as BotResponse,
} from 'botbuilder';
import restify from 'restify';
import { loadConfig } from '../app/config';
import { createLogger } from '../core/log';
import { startServer } from '../app/server';
import { SERVER_NODE_FLAGS } from '../app/nodeFlags';
import { runLoad, startConnectorStub, type LoadRequest, type LoadResult } from './load';

export const TARGETS = [
  'restify',
  'echoExpectReplies',
  'echoConnector',
  'apiMessagesExpectReplies',
  'directLine',
] as const;
export type Target = (typeof TARGETS)[number];

/** Ordinary questions (no hand-off, no emergency), asked in turn by every connection. */
export const QUESTIONS = [
  'lam cccd o dau',
  'đăng ký kết hôn cần giấy tờ gì',
  'lệ phí đăng ký khai sinh',
  'tra cứu hồ sơ',
  'dang ky tam tru can giay to gi',
  'lam can cuoc bao lau thi co the',
  'Giấy xác nhận tình trạng hôn nhân có giá trị sử dụng trong bao lâu?',
  'thong bao luu tru tren vneid lam sao',
];

const SECRET = 'bench-secret-0123456789';

// ---------------------------------------------------------------- targets (child processes)

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(`echo: ${context.activity.text ?? ''}`);
      await next();
    });
  }
}

async function listen(server: restify.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

async function serveBare(): Promise<{ port: number }> {
  const server = restify.createServer();
  server.get('/hello', (_req, res, next) => {
    res.send(200, { hello: 'world' });
    next();
  });
  return { port: await listen(server) };
}

async function serveEcho(): Promise<{ port: number; connectorPort: number }> {
  const { port: connectorPort } = await startConnectorStub();
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const bot = new EchoBot();
  const server = restify.createServer();
  server.use(restify.plugins.bodyParser({ mapParams: false }));
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req as unknown as BotRequest, res as unknown as BotResponse, (c) => bot.run(c));
  });
  return { port: await listen(server), connectorPort };
}

async function serveProject(): Promise<{ port: number }> {
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-throughput-')),
    WEBCHAT_SECRET: SECRET,
    WEBCHAT_MESSAGES_PER_MINUTE: '100000000',
    RETENTION_DAYS: '0',
  });
  const server = await startServer(config, createLogger('error'));
  return { port: server.port };
}

async function serve(target: Target): Promise<void> {
  const ready =
    target === 'restify'
      ? await serveBare()
      : target === 'echoExpectReplies' || target === 'echoConnector'
        ? await serveEcho()
        : await serveProject();
  // A normal exit, so that `--cpu-prof` (BENCH_PROFILE_DIR) writes its profile.
  process.on('SIGTERM', () => process.exit(0));
  // The load generator reads this process's CPU time when it starts and stops measuring.
  process.on('message', (m) => {
    if (m !== 'cpu') return;
    const { user, system } = process.cpuUsage();
    process.send?.({ cpuUs: user + system });
  });
  process.send?.({ ready });
}

// ---------------------------------------------------------------- load (this process)

interface Ready {
  port: number;
  connectorPort?: number;
}

function start(target: Target): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = fork(__filename, ['--serve', target], {
    execArgv: [
      '--disable-warning=DEP0111',
      ...SERVER_NODE_FLAGS,
      ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
      ...(process.env.BENCH_PROFILE_DIR
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
        : []),
    ],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolveReady, reject) => {
    child.once('message', (m: { ready: Ready }) => resolveReady({ child, ready: m.ready }));
    child.once('exit', (code) => reject(new Error(`${target} exited with ${code}`)));
  });
}

/** The CPU time (µs) a target process has used so far. */
function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolveCpu) => {
    const listen = (m: { cpuUs?: number }): void => {
      if (m.cpuUs === undefined) return;
      child.off('message', listen);
      resolveCpu(m.cpuUs);
    };
    child.on('message', listen);
    child.send('cpu');
  });
}

function activity(c: number, n: number, serviceUrl: string, expectReplies: boolean): string {
  return JSON.stringify({
    type: 'message',
    id: `m${c}-${n}`,
    channelId: 'emulator',
    serviceUrl,
    ...(expectReplies ? { deliveryMode: 'expectReplies' } : {}),
    from: { id: `user-${c}`, name: 'Công dân', role: 'user' },
    recipient: { id: 'bot', name: 'Trợ lý ảo', role: 'bot' },
    conversation: { id: `bench-${c}` },
    text: QUESTIONS[(c + n) % QUESTIONS.length],
    locale: 'vi-VN',
    timestamp: new Date().toISOString(),
  });
}

const JSON_HEADERS = { 'content-type': 'application/json' };

async function directLineSessions(
  port: number,
  n: number,
): Promise<Array<{ conversationId: string; token: string }>> {
  const base = `http://127.0.0.1:${port}`;
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = (await (
      await fetch(`${base}/v3/directline/tokens/generate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SECRET}` },
      })
    ).json()) as { conversationId: string; token: string };
    await fetch(`${base}/v3/directline/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, ...JSON_HEADERS },
      body: '{}',
    });
    out.push(t);
  }
  return out;
}

export async function measureTarget(
  target: Target,
  options: { seconds: number; connections: number; warmupSeconds: number },
): Promise<LoadResult> {
  const { child, ready } = await start(target);
  try {
    let next: (c: number, n: number) => LoadRequest;
    const loop = `http://127.0.0.1:${ready.connectorPort ?? 9}`;
    switch (target) {
      case 'restify':
        next = () => ({ method: 'GET', path: '/hello' });
        break;
      case 'echoExpectReplies':
      case 'apiMessagesExpectReplies':
        next = (c, n) => ({
          method: 'POST',
          path: '/api/messages',
          headers: JSON_HEADERS,
          body: activity(c, n, loop, true),
        });
        break;
      case 'echoConnector':
        next = (c, n) => ({
          method: 'POST',
          path: '/api/messages',
          headers: JSON_HEADERS,
          body: activity(c, n, loop, false),
        });
        break;
      case 'directLine': {
        const sessions = await directLineSessions(ready.port, options.connections);
        next = (c, n) => {
          const s = sessions[c]!;
          return {
            method: 'POST',
            path: `/v3/directline/conversations/${encodeURIComponent(s.conversationId)}/activities`,
            headers: { ...JSON_HEADERS, authorization: `Bearer ${s.token}` },
            body: JSON.stringify({
              type: 'message',
              from: { id: 'citizen' },
              text: QUESTIONS[(c + n) % QUESTIONS.length],
            }),
          };
        };
        break;
      }
    }
    return await runLoad({ port: ready.port, ...options, next, serverCpuUs: () => cpuOf(child) });
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

export interface ThroughputReport {
  date: string;
  node: string;
  cpus: number;
  connections: number;
  seconds: number;
  repeats: number;
  /** Median of the repeats, per target. */
  median: Record<string, LoadResult>;
  runs: Record<string, LoadResult[]>;
  ratios: { directLineToEchoConnector?: number; apiMessagesToEchoExpectReplies?: number };
  /**
   * The same comparisons by the server's CPU time per turn (the echo's over
   * the project's, median of the repeats): what the ratios would be on an
   * otherwise idle machine where the load generator did not share the cores.
   */
  cpuRatios: { directLineToEchoConnector?: number; apiMessagesToEchoExpectReplies?: number };
  targets: { directLineToEchoConnector: number; apiMessagesToEchoExpectReplies: number; p99Ms: number };
}

export async function throughput(): Promise<ThroughputReport> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
  const repeats = Number(process.env.BENCH_REPEATS ?? 3);
  const wanted = (process.env.BENCH_TARGETS ?? TARGETS.join(',')).split(',') as Target[];
  const runs: Record<string, LoadResult[]> = {};
  for (let r = 0; r < repeats; r++) {
    for (const target of wanted) {
      const result = await measureTarget(target, { seconds, connections, warmupSeconds: 2 });
      (runs[target] ??= []).push(result);
      console.log(
        `run ${r + 1}/${repeats} ${target.padEnd(26)} ${String(result.perSecond).padStart(6)}/s  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms  errors ${result.errors}`,
      );
    }
  }
  const med: Record<string, LoadResult> = {};
  for (const [target, list] of Object.entries(runs)) {
    // The run whose rate is the median, so its latencies belong to the same run.
    const m = median(list.map((x) => x.perSecond));
    med[target] = list.find((x) => x.perSecond === m) as LoadResult;
  }
  const ratio = (a?: LoadResult, b?: LoadResult): number | undefined =>
    a && b && b.perSecond > 0 ? Math.round((a.perSecond / b.perSecond) * 1000) / 1000 : undefined;
  const cpu = (target: Target): number | undefined => {
    const xs = (runs[target] ?? []).flatMap((x) =>
      x.serverCpuUsPerRequest ? [x.serverCpuUsPerRequest] : [],
    );
    return xs.length > 0 ? median(xs) : undefined;
  };
  const cpuRatio = (a?: number, b?: number): number | undefined =>
    a && b ? Math.round((b / a) * 1000) / 1000 : undefined;
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    connections,
    seconds,
    repeats,
    median: med,
    runs,
    ratios: {
      directLineToEchoConnector: ratio(med.directLine, med.echoConnector),
      apiMessagesToEchoExpectReplies: ratio(med.apiMessagesExpectReplies, med.echoExpectReplies),
    },
    cpuRatios: {
      directLineToEchoConnector: cpuRatio(cpu('directLine'), cpu('echoConnector')),
      apiMessagesToEchoExpectReplies: cpuRatio(cpu('apiMessagesExpectReplies'), cpu('echoExpectReplies')),
    },
    targets: { directLineToEchoConnector: 0.6, apiMessagesToEchoExpectReplies: 0.4, p99Ms: 50 },
  };
}

async function main(): Promise<void> {
  const report = await throughput();
  const out = resolve('bench-results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'throughput.json'), JSON.stringify(report, null, 2) + '\n');
  console.log('target                       turns/s   p50 ms   p99 ms   server CPU µs/turn');
  for (const [name, r] of Object.entries(report.median)) {
    console.log(
      `${name.padEnd(26)} ${String(r.perSecond).padStart(9)} ${r.p50Ms.toFixed(1).padStart(8)} ${r.p99Ms.toFixed(1).padStart(8)} ${String(r.serverCpuUsPerRequest ?? '').padStart(12)}`,
    );
  }
  console.log(`ratios: ${JSON.stringify(report.ratios)}`);
  console.log(`CPU ratios: ${JSON.stringify(report.cpuRatios)}`);
  console.log(`written: ${join(out, 'throughput.json')}`);
}

if (require.main === module) {
  const at = process.argv.indexOf('--serve');
  if (at >= 0) void serve(process.argv[at + 1] as Target);
  else void main();
}

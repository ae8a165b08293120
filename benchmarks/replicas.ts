/**
 * Web chat throughput through the Direct Line endpoint with ONE replica and
 * with TWO replicas (`node dist/app/main.js`, each its own process) on one
 * PostgreSQL database. For each setup: a fresh database, 200 conversations
 * (tokens/generate with the secret, then start, then the WebSocket stream),
 * and then every conversation sends BENCH_MESSAGES messages one after
 * another — the next once the bot's reply has arrived on its WebSocket —
 * with all the conversations at once. With two replicas every HTTP request
 * and every WebSocket goes to the next replica in turn, as a round-robin
 * load balancer would send them, so a conversation moves between replicas
 * and its replies often come back through the other one (LISTEN/NOTIFY).
 *
 * Reported per setup: messages, wall time, throughput, reply latency (POST
 * sent → the bot's reply on the WebSocket), the POST's own time (the whole
 * turn), errors, and the CPU time of each replica, of the PostgreSQL server
 * processes, of this load generator and of the whole machine over the
 * message phase (from /proc), to show where the time goes.
 *
 * The database: a throwaway cluster on loopback (tests/support/postgres.ts,
 * Debian's postgresql installed with apt-get when missing), or
 * BENCH_DATABASE_URL, a server whose user may create databases (one per
 * setup, dropped at the end). Writes bench-results/replicas.json.
 *
 *   BENCH_CONVERSATIONS (200)  BENCH_MESSAGES (5)  BENCH_REPLICAS ("1,2")
 *   BENCH_WARMUP (1: messages per conversation sent first and not measured)
 *   BENCH_POOL_SIZE (DATABASE_POOL_SIZE of each replica, 10)
 *   BENCH_NODE_ARGS (extra flags for the replicas' node, e.g. --cpu-prof)
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import WebSocket from 'ws';
import { projectRoot } from '../core/paths';
import { createTestDatabase, freePort, startCluster, type Cluster } from '../tests/support/postgres';
import { replicaEnv } from '../tests/support/replica';
import { SERVER_NODE_FLAGS } from '../app/nodeFlags';

const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 200);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 5);
/** Messages per conversation before the measured ones: the replicas' JIT warms up on them. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
const SETUPS = (process.env.BENCH_REPLICAS ?? '1,2').split(',').map(Number);
const POOL_SIZE = process.env.BENCH_POOL_SIZE ?? '10';
/** As `npm start` runs a replica, plus BENCH_NODE_ARGS. */
const NODE_ARGS = [
  '--disable-warning=DEP0111',
  ...SERVER_NODE_FLAGS,
  ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
];
const ROOT = projectRoot();
const SECRET = 'bench-replicas-secret-0123456789';
const START_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 60_000;
const REPLY_TIMEOUT_MS = 30_000;
const QUESTIONS = [
  'lam cccd o dau',
  'đăng ký kết hôn cần giấy tờ gì',
  'thế lệ phí bao nhiêu?',
  'lệ phí đăng ký khai sinh',
  'thủ tục đăng ký tạm trú',
  'dang ky ket hon o dau',
  'tra cứu hồ sơ',
];
const TURN_FAILED = 'Xin lỗi, hệ thống đang gặp sự cố';

for (const [name, v] of Object.entries({
  BENCH_CONVERSATIONS: CONVERSATIONS,
  BENCH_MESSAGES: MESSAGES,
  BENCH_WARMUP: WARMUP + 1,
})) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive whole number`);
}
if (!SETUPS.every((n) => Number.isInteger(n) && n >= 1)) {
  throw new Error('BENCH_REPLICAS must list replica counts, e.g. "1,2"');
}

// ---------------------------------------------------------------- the load generator's HTTP client

/** Keep-alive connections, as a browser (or a load balancer) keeps them; no fetch, to stay light. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });

interface Answer {
  status: number;
  json: unknown;
}

function request(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<Answer> {
  return new Promise((resolveAnswer, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: http.OutgoingHttpHeaders = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    const req = http.request(
      `${base}${path}`,
      { method, headers, agent, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = text;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text
          }
          resolveAnswer({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Round robin over the replicas, per request (and per WebSocket), counting what each got. */
class Balancer {
  private next = 0;
  readonly requests: number[];
  constructor(readonly urls: string[]) {
    this.requests = urls.map(() => 0);
  }
  pick(): string {
    const i = this.next++ % this.urls.length;
    this.requests[i]! += 1;
    return this.urls[i] as string;
  }
  call(method: string, path: string, token?: string, body?: unknown): Promise<Answer> {
    return request(this.pick(), method, path, token, body);
  }
}

// ---------------------------------------------------------------- a replica as its own process

interface Replica {
  url: string;
  child: ChildProcess;
  /** What it wrote (at LOG_LEVEL=warn: warnings and errors). */
  logs: string[];
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
/** The replicas' DATA_DIRs (empty: the database is PostgreSQL), removed at the end. */
const dataDirs = new Set<string>();

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** Start `node dist/app/main.js`; ready once its Direct Line routes answer. Rejects, with its output, if it exits or hangs. */
async function startReplica(env: Record<string, string>, label: string): Promise<Replica> {
  const port = await freePort();
  const child = spawn(process.execPath, [...NODE_ARGS, join(ROOT, 'dist', 'app', 'main.js')], {
    cwd: ROOT,
    env: replicaEnv({ ...env, PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const logs: string[] = [];
  let buffer = '';
  const collect = (d: string): void => {
    buffer += d;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    logs.push(...lines.filter(Boolean));
  };
  child.stdout!.setEncoding('utf8').on('data', collect);
  child.stderr!.setEncoding('utf8').on('data', collect);
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exitOf(child);
    clearTimeout(timer);
  };
  // At LOG_LEVEL=warn there is no "listening" line: ask until the web chat's routes are mounted
  // (they are all registered at once, after the database, the migrations and the bus are ready).
  const until = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `replica ${label} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${[...logs, buffer].join('\n')}`,
      );
    }
    const status = await request(url, 'GET', '/webchat').then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return { url, child, logs, stop };
    if (Date.now() > until) {
      child.kill('SIGKILL');
      await exitOf(child);
      throw new Error(
        `replica ${label} was not ready within ${START_TIMEOUT_MS} ms (last answer: ${status || 'none'}):\n${[...logs, buffer].join('\n')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---------------------------------------------------------------- CPU time from /proc

const TICK_MS = (() => {
  try {
    return 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  } catch {
    return 10;
  }
})();

/** Fields 3… of /proc/PID/stat (after the command name), or undefined when the process is gone. */
function statFields(pid: number, file = `/proc/${pid}/stat`): string[] | undefined {
  try {
    const s = readFileSync(file, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime of a process, ms (with its reaped children's when `children`). */
function cpuMs(pid: number | undefined, withChildren = false): number {
  const f = pid === undefined ? undefined : statFields(pid);
  if (!f) return 0;
  // Field n of stat is f[n - 3]: utime 14, stime 15, cutime 16, cstime 17.
  const ticks = Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0);
  return ticks * TICK_MS;
}

/** utime + stime of a process's main thread (for Node, the JavaScript event loop), ms. */
function mainThreadCpuMs(pid: number | undefined): number {
  const f = pid === undefined ? undefined : statFields(pid, `/proc/${pid}/task/${pid}/stat`);
  return f ? (Number(f[11]) + Number(f[12])) * TICK_MS : 0;
}

/** Time a process's main thread was runnable but waiting for a core (schedstat), ms. */
function mainThreadWaitMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return 0;
  }
}

function commOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

/**
 * The PostgreSQL server's processes: the postmaster of our cluster and its
 * children, or (an external server) every local `postgres` process of the
 * postgres user — `pgrep -u postgres postgres`.
 */
function postgresPids(cluster: Cluster | undefined): number[] {
  if (cluster) {
    const pidFile = join(cluster.dir, 'data', 'postmaster.pid');
    if (!existsSync(pidFile)) return [];
    const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    return [postmaster, ...allPids().filter((p) => Number(statFields(p)?.[1]) === postmaster)];
  }
  try {
    return execFileSync('pgrep', ['-u', 'postgres', 'postgres'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * CPU time of the server, ms. Backends that ended in between are counted
 * through their parent (the postmaster reaps them: its cutime + cstime).
 */
function postgresCpuMs(cluster: Cluster | undefined): number {
  return postgresPids(cluster).reduce(
    (sum, pid) => sum + (commOf(pid) === 'postgres' ? cpuMs(pid, true) : 0),
    0,
  );
}

/** Busy and total CPU time of the whole machine (all cores), ms, from /proc/stat. */
function machineMs(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is inside user).
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: busy * TICK_MS, total: (busy + idle + iowait) * TICK_MS };
}

interface CpuSnapshot {
  replicas: number[];
  replicaMainThreads: number[];
  replicaMainThreadWaits: number[];
  postgres: number;
  loadGenerator: number;
  machine: { busy: number; total: number };
}

function snapshot(replicas: Replica[], cluster: Cluster | undefined): CpuSnapshot {
  const own = process.cpuUsage();
  return {
    replicas: replicas.map((r) => cpuMs(r.child.pid)),
    replicaMainThreads: replicas.map((r) => mainThreadCpuMs(r.child.pid)),
    replicaMainThreadWaits: replicas.map((r) => mainThreadWaitMs(r.child.pid)),
    postgres: postgresCpuMs(cluster),
    loadGenerator: (own.user + own.system) / 1000,
    machine: machineMs(),
  };
}

// ---------------------------------------------------------------- a citizen's conversation

interface DlActivity {
  id?: string;
  type?: string;
  text?: string;
  from?: { role?: string };
  replyToId?: string;
}

/** The sequence number in an activity id "<conversation>|0000042". */
const seqOf = (a: DlActivity): number => Number((a.id ?? '').slice((a.id ?? '').lastIndexOf('|') + 1));

type Reply = { at: number; failed: boolean } | { lost: string };

class Conversation {
  ws?: WebSocket;
  /** The watermark: every activity below it has arrived on the WebSocket. */
  seen = 0;
  closed?: string;
  private waiter?: { from: number; echoId?: string; resolve: (r: Reply) => void };
  private onFrame?: () => void;

  constructor(
    readonly id: string,
    readonly userId: string,
    readonly token: string,
  ) {}

  /** Open the stream and wait for the history frame (the welcome). */
  async open(streamUrl: string): Promise<void> {
    const ws = new WebSocket(streamUrl);
    this.ws = ws;
    ws.on('message', (d) => this.frame(String(d)));
    const gone = (why: string): void => {
      this.closed ??= why;
      const w = this.waiter;
      this.waiter = undefined;
      w?.resolve({ lost: `WebSocket ${why}` });
    };
    ws.on('error', (e) => gone(`error: ${e.message}`));
    ws.on('close', () => gone('closed by the server'));
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('no history frame within 15 s')), 15_000);
      this.onFrame = () => {
        clearTimeout(timer);
        ok();
      };
      ws.once('close', () => {
        clearTimeout(timer);
        fail(new Error(`WebSocket ${this.closed} before the history frame`));
      });
    });
    this.onFrame = undefined;
  }

  private frame(text: string): void {
    if (!text) return;
    const f = JSON.parse(text) as { activities: DlActivity[]; watermark: string };
    this.seen = Number(f.watermark);
    const w = this.waiter;
    if (w) {
      for (const a of f.activities) {
        if (seqOf(a) < w.from) continue;
        // Our own message comes back first (its echo); the reply is the bot's answer to it.
        if (!w.echoId && a.from?.role === 'user') w.echoId = a.id;
        else if (w.echoId && a.type === 'message' && a.from?.role === 'bot' && a.replyToId === w.echoId) {
          this.waiter = undefined;
          w.resolve({ at: performance.now(), failed: (a.text ?? '').startsWith(TURN_FAILED) });
          break;
        }
      }
    }
    this.onFrame?.();
  }

  /** Resolves when the reply to the next message posted arrives, or says why it will not. */
  expectReply(): { reply: Promise<Reply>; cancel: () => void } {
    let timer: NodeJS.Timeout | undefined;
    const reply = new Promise<Reply>((ok) => {
      if (this.closed) return ok({ lost: `WebSocket ${this.closed}` });
      this.waiter = { from: this.seen, resolve: ok };
      timer = setTimeout(() => {
        this.waiter = undefined;
        ok({ lost: `no reply on the WebSocket within ${REPLY_TIMEOUT_MS} ms` });
      }, REPLY_TIMEOUT_MS);
    });
    return {
      reply: reply.finally(() => clearTimeout(timer)),
      cancel: () => {
        clearTimeout(timer);
        this.waiter = undefined;
      },
    };
  }

  close(): void {
    this.closed ??= 'closed by the benchmark';
    this.ws?.terminate();
  }
}

/** tokens/generate with the secret, start, and the stream (each through the balancer). */
async function openConversation(lb: Balancer): Promise<Conversation> {
  const t = await lb.call('POST', '/v3/directline/tokens/generate', SECRET);
  if (t.status !== 200) throw new Error(`tokens/generate: ${t.status} ${JSON.stringify(t.json)}`);
  const { conversationId, userId, token } = t.json as {
    conversationId: string;
    userId: string;
    token: string;
  };
  const s = await lb.call('POST', '/v3/directline/conversations', token, {});
  if (s.status !== 201) throw new Error(`start: ${s.status} ${JSON.stringify(s.json)}`);
  const c = new Conversation(conversationId, userId, token);
  // The stream URL names the replica that answered the start; the balancer picks the one it goes to.
  const streamUrl = new URL((s.json as { streamUrl: string }).streamUrl);
  streamUrl.host = new URL(lb.pick()).host;
  await c.open(streamUrl.toString());
  return c;
}

/**
 * Every conversation sends `count` messages at once with the others, one
 * after another: the next once the reply is on its WebSocket and the POST
 * has been answered.
 */
async function converse(conversations: Conversation[], lb: Balancer, count: number, offset: number) {
  const replyMs: number[] = [];
  const postMs: number[] = [];
  const errors: Record<string, number> = {};
  const fail = (what: string): void => void (errors[what] = (errors[what] ?? 0) + 1);
  let sent = 0;
  await Promise.all(
    conversations.map(async (c, i) => {
      for (let j = offset; j < offset + count; j++) {
        const text = QUESTIONS[(i + j) % QUESTIONS.length] as string;
        const expected = c.expectReply();
        const t = performance.now();
        sent++;
        let ok = false;
        try {
          const r = await lb.call('POST', `/v3/directline/conversations/${c.id}/activities`, c.token, {
            type: 'message',
            text,
            from: { id: c.userId },
          });
          postMs.push(performance.now() - t);
          ok = r.status === 200;
          if (!ok) fail(`POST answered ${r.status}`);
        } catch (e) {
          fail(`POST failed: ${(e as Error).message}`);
        }
        if (!ok) {
          expected.cancel();
          continue;
        }
        const reply = await expected.reply;
        if ('lost' in reply) fail(reply.lost);
        else {
          replyMs.push(reply.at - t);
          if (reply.failed) fail('the reply was the turn-failed apology');
        }
      }
    }),
  );
  return { replyMs, postMs, errors, sent };
}

// ---------------------------------------------------------------- one setup

interface Summary {
  n: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function summary(times: number[]): Summary {
  const s = [...times].sort((a, b) => a - b);
  const at = (p: number): number =>
    Number((s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? 0).toFixed(1));
  return { n: s.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1) };
}

const round = (x: number, digits = 0): number => Number(x.toFixed(digits));

type Snapshot = CpuSnapshot;

/** CPU time of each part over the message phase, in ms and in cores, and whether other programs disturbed it. */
function cpuFigures(before: Snapshot, after: Snapshot, wallMs: number, replies: number) {
  const replicaCpu = before.replicas.map((_, i) => after.replicas[i]! - before.replicas[i]!);
  const mainThreadCpu = before.replicas.map(
    (_, i) => after.replicaMainThreads[i]! - before.replicaMainThreads[i]!,
  );
  const mainThreadWait = before.replicas.map(
    (_, i) => after.replicaMainThreadWaits[i]! - before.replicaMainThreadWaits[i]!,
  );
  const postgresCpu = after.postgres - before.postgres;
  const loadGeneratorCpu = after.loadGenerator - before.loadGenerator;
  const machineBusy = after.machine.busy - before.machine.busy;
  const machineTotal = after.machine.total - before.machine.total;
  const cores = (ms: number): number => round(ms / wallMs, 2);
  const otherCpu = machineBusy - replicaCpu.reduce((a, b) => a + b, 0) - postgresCpu - loadGeneratorCpu;
  // The kernel's own work on loopback is a few percent; more means another program was running.
  const disturbed = otherCpu / wallMs > 0.15;
  if (disturbed) {
    console.error(
      `  warning: ${cores(otherCpu)} cores went to other programs during this run; its figures are disturbed`,
    );
  }
  const perReply = (ms: number): number => round(ms / Math.max(1, replies), 2);
  return {
    disturbed,
    cpu: {
      note: 'CPU time over the message phase, ms; "cores" = CPU ms / wall ms; MainThread = the replica\'s event loop (its JavaScript), MainThreadWaiting = the time that thread was ready to run but no core was free (schedstat); other = busy time of the machine outside these processes (kernel network work, other programs)',
      replicasMs: replicaCpu.map((x) => round(x)),
      replicasCores: replicaCpu.map(cores),
      /** The event loop's thread alone (the replica's JavaScript)... */
      replicasMainThreadCores: mainThreadCpu.map(cores),
      /** ...and its time ready to run with no core free: running + waiting near 1.0 = the loop never idles. */
      replicasMainThreadWaitingCores: mainThreadWait.map(cores),
      postgresMs: round(postgresCpu),
      postgresCores: cores(postgresCpu),
      loadGeneratorMs: round(loadGeneratorCpu),
      loadGeneratorCores: cores(loadGeneratorCpu),
      perMessageMs: {
        replicas: perReply(replicaCpu.reduce((a, b) => a + b, 0)),
        postgres: perReply(postgresCpu),
        loadGenerator: perReply(loadGeneratorCpu),
      },
      machineBusyMs: round(machineBusy),
      machineBusyCores: cores(machineBusy),
      machineBusyPercent: round((machineBusy / Math.max(1, machineTotal)) * 100, 1),
      /** Busy time not accounted for by the above: the kernel's network work outside them, other programs. */
      otherMs: round(otherCpu),
      otherCores: cores(otherCpu),
    },
  };
}

/** How much the replicas logged, and the first distinct messages, to tell what went wrong. */
function logSummary(logLines: string[]) {
  return {
    lines: logLines.length,
    warn: logLines.filter((l) => l.includes('"level":"warn"')).length,
    error: logLines.filter((l) => l.includes('"level":"error"')).length,
    first: [...new Set(logLines.map((l) => /"msg":"([^"]*)"/.exec(l)?.[1] ?? l.slice(0, 200)))].slice(0, 5),
  };
}

/** Start N replicas on one new database together, as an orchestrator starts them (they migrate it at once). */
async function startReplicas(replicaCount: number, databaseUrl: string, dataDir: string): Promise<Replica[]> {
  const env = {
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: POOL_SIZE,
    DATA_DIR: dataDir,
    KB_SEEDS_DIR: join(ROOT, 'seeds'),
    KB_PASSAGES_DIR: join(ROOT, 'data', 'passages'),
    WEBCHAT_SECRET: SECRET,
    WEBCHAT_TOKENS_PER_MINUTE: '1000000',
    WEBCHAT_MESSAGES_PER_MINUTE: '1000000',
    LOG_LEVEL: 'warn',
  };
  // Started together, as an orchestrator starts them: they migrate the new database at once.
  const started = await Promise.allSettled(
    Array.from({ length: replicaCount }, (_, i) => startReplica(env, String.fromCharCode(65 + i))),
  );
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    // Those that did start are stopped before the failure is reported.
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    throw failed.reason;
  }
  return started.map((s) => (s as PromiseFulfilledResult<Replica>).value);
}

async function runSetup(replicaCount: number, serverUrl: string, cluster: Cluster | undefined) {
  const database = await createTestDatabase(`bench_replicas_${replicaCount}`, serverUrl);
  const replicas: Replica[] = [];
  const conversations: Conversation[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-replicas-'));
  dataDirs.add(dataDir);
  try {
    replicas.push(...(await startReplicas(replicaCount, database.url, dataDir)));

    const lb = new Balancer(replicas.map((r) => r.url));
    const t0 = performance.now();
    conversations.push(
      ...(await Promise.all(Array.from({ length: CONVERSATIONS }, () => openConversation(lb)))),
    );
    const setupMs = performance.now() - t0;
    lb.requests.fill(0);

    const warmup = await converse(conversations, lb, WARMUP, 0);
    lb.requests.fill(0);

    const before = snapshot(replicas, cluster);
    const start = performance.now();
    const { replyMs, postMs, errors, sent } = await converse(conversations, lb, MESSAGES, WARMUP);
    const wallMs = performance.now() - start;
    const after = snapshot(replicas, cluster);

    const { cpu, disturbed } = cpuFigures(before, after, wallMs, replyMs.length);
    return {
      replicas: replicaCount,
      conversations: CONVERSATIONS,
      messages: sent,
      replies: replyMs.length,
      errors,
      errorCount: Object.values(errors).reduce((a, b) => a + b, 0),
      warmup: { messages: warmup.sent, errors: warmup.errors },
      conversationSetupMs: round(setupMs),
      wallMs: round(wallMs),
      messagesPerSecond: round((replyMs.length / wallMs) * 1000, 1),
      replyLatency: summary(replyMs),
      postLatency: summary(postMs),
      requestsPerReplica: lb.requests,
      cpu,
      disturbedByOtherPrograms: disturbed,
      replicaLog: logSummary(replicas.flatMap((r) => r.logs)),
    };
  } finally {
    for (const c of conversations) c.close();
    await Promise.all(replicas.map((r) => r.stop()));
    await database.drop().catch((e: Error) => console.error(`could not drop ${database.name}: ${e.message}`));
    rmSync(dataDir, { recursive: true, force: true });
    dataDirs.delete(dataDir);
  }
}

type Setup = Awaited<ReturnType<typeof runSetup>>;

/** One line per setup: throughput, reply latency, errors and where the CPU went. */
function printTable(setups: Setup[]): void {
  console.log(
    'replicas  messages  wall s   msg/s   reply p50/p99/max ms      errors  CPU cores: replicas | postgres | load gen | machine',
  );
  for (const s of setups) {
    const r = s.replyLatency;
    console.log(
      `${String(s.replicas).padStart(8)} ${String(s.messages).padStart(9)} ${(s.wallMs / 1000).toFixed(1).padStart(7)} ${s.messagesPerSecond.toFixed(1).padStart(7)}   ${`${r.p50Ms}/${r.p99Ms}/${r.maxMs}`.padEnd(24)} ${String(s.errorCount).padStart(6)}  ${s.cpu.replicasCores.join('+')} | ${s.cpu.postgresCores} | ${s.cpu.loadGeneratorCores} | ${s.cpu.machineBusyCores}`,
    );
  }
}

// ---------------------------------------------------------------- main

let cluster: Cluster | undefined;

function emergencyStop(): void {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  try {
    cluster?.remove();
  } catch {
    // best effort
  }
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (
      (await client.query<{ server_version: string }>('show server_version')).rows[0]?.server_version ?? ''
    );
  } finally {
    await client.end();
  }
}

export async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist', 'app', 'main.js')))
    throw new Error('dist/app/main.js missing: npm run build');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the replicas and the cluster`);
      emergencyStop();
      process.exit(130);
    });
  }
  const external = process.env.BENCH_DATABASE_URL;
  try {
    let serverUrl: string;
    if (external) serverUrl = external;
    else {
      // A private cluster on a free port, so that no test run's cluster is disturbed.
      cluster = await startCluster();
      serverUrl = cluster.url();
    }
    const version = await serverVersion(serverUrl);
    const setups = [];
    for (const n of SETUPS) {
      console.error(`${n} replica(s): ${CONVERSATIONS} conversations × ${MESSAGES} messages…`);
      setups.push(await runSetup(n, serverUrl, cluster));
    }
    const one = setups.find((s) => s.replicas === 1);
    const report = {
      date: new Date().toISOString(),
      conversations: CONVERSATIONS,
      messagesPerConversation: MESSAGES,
      warmupMessagesPerConversation: WARMUP,
      note: 'Direct Line: POST a message → the bot reply arriving on the conversation WebSocket (the stream Web Chat uses, pushed by the server; no polling load or poll-interval rounding); all conversations at once, each waiting for its reply (and the POST answer) before the next message, after warm-up messages that are not measured. With N replicas every request and every WebSocket goes to the next replica in turn (round robin), so replies often reach the stream through the other replica (LISTEN/NOTIFY). One machine: the load generator (this process), the replicas and PostgreSQL share its cores; their CPU times are reported.',
      machine: { cores: cpus().length, node: process.version, cpuModel: cpus()[0]?.model ?? '' },
      database: external
        ? { server: 'BENCH_DATABASE_URL', version }
        : {
            server: 'throwaway cluster on loopback (fsync=off, synchronous_commit=off, full_page_writes=off)',
            version,
          },
      replicaProcess: {
        nodeArgs: NODE_ARGS,
        poolSize: Number(POOL_SIZE),
        kb: 'seeds/ and data/passages (the default knowledge base, as npm start loads it)',
        logLevel: 'warn',
      },
      setups,
      throughputVsOneReplica: one
        ? Object.fromEntries(
            setups.map((s) => [
              `${s.replicas}`,
              round(s.messagesPerSecond / Math.max(0.1, one.messagesPerSecond), 2),
            ]),
          )
        : undefined,
    };
    const out = resolve('bench-results');
    mkdirSync(out, { recursive: true });
    const file = join(out, 'replicas.json');
    writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
    console.log(JSON.stringify(report, null, 2));
    printTable(setups);
    console.log(`written: ${file}`);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    agent.destroy();
    if (cluster) {
      try {
        cluster.remove();
      } catch (e) {
        console.error(`could not remove the cluster in ${cluster.dir}: ${(e as Error).message}`);
        rmSync(cluster.dir, { recursive: true, force: true });
      }
    }
  }
}

if (require.main === module) {
  main().catch((e: Error) => {
    console.error(`replicas benchmark failed: ${e.stack ?? e.message}`);
    process.exitCode = 1;
  });
}

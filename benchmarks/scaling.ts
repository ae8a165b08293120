/**
 * `npm run bench` (knowledge base scaling): the search index built over
 * generated knowledge bases of 1,000, 5,000, 10,000 and 20,000 procedures
 * (`generatedKnowledge`, with the real synonyms and intents), each in its own
 * process so that its heap is its own: build time, heap and RSS after the
 * build, and search latency (p50/p99 over 5,000 questions); each size is run
 * BENCH_REPEATS (3) times and each figure is the median. Writes
 * bench-results/scaling.json.
 *
 * Targets at 10,000 entries: build under 5 s, heap under 300 MB, p99 under
 * 3 ms; cost no worse than linear in entries.
 *
 * The learned router (one class per entry) is measured apart, at sizes it
 * can be trained at in a benchmark (BENCH_ROUTER_SIZES, default 250,500):
 * its training time and weights grow with entries × classes, so it does not
 * reach a national catalogue as it is.
 *
 * Environment: BENCH_SCALING_SIZES (comma-separated, default 1000,5000,10000,20000).
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfiguredKnowledge } from '../bot/kb';
import { fold } from '../knowledge/normalize';
import { Router } from '../knowledge/router';
import { KnowledgeIndex } from '../knowledge/search';
import { generatedKnowledge } from './search';
import { SERVER_NODE_FLAGS } from '../app/nodeFlags';

const QUERIES = 5_000;

export interface ScalingFigures {
  entries: number;
  buildMs: number;
  heapMB: number;
  rssMB: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Measure one size in this process (run as a child). */
function measure(n: number): ScalingFigures {
  const kb = generatedKnowledge(loadConfiguredKnowledge(), n);
  // Questions from the entries' own words, half of them without tone marks, some with extra words.
  let s = 11;
  const r = (): number => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const questions: string[] = [];
  while (questions.length < QUERIES) {
    const e = kb.entries[Math.floor(r() * kb.entries.length)]!;
    let q = [e.title, ...e.aliases, ...e.faq.map((f) => f.q)][Math.floor(r() * 4)] ?? e.title;
    if (r() < 0.5) q = fold(q);
    if (r() < 0.5) q = `cho hỏi ${q} cần giấy tờ gì, lệ phí bao nhiêu ạ`;
    questions.push(q);
  }
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const index = new KnowledgeIndex(kb);
  const buildMs = performance.now() - t0;
  gc();
  const mem = process.memoryUsage();
  for (const q of questions.slice(0, 500)) index.search(q);
  const times = new Float64Array(questions.length);
  questions.forEach((q, i) => {
    const t = performance.now();
    index.search(q);
    times[i] = performance.now() - t;
  });
  times.sort();
  const at = (p: number): number => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
  const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
  return {
    entries: index.size,
    buildMs: round(buildMs, 0),
    heapMB: round((mem.heapUsed - heapBefore) / 2 ** 20),
    rssMB: round(mem.rss / 2 ** 20),
    p50Ms: round(at(0.5), 3),
    p99Ms: round(at(0.99), 3),
    maxMs: round(times[times.length - 1] ?? 0, 2),
  };
}

export interface RouterFigures {
  entries: number;
  features: number;
  trainMs: number;
  /** The weights kept after training (feature × class, float32). */
  weightsMB: number;
  rankMs: number;
}

/** Train the router on `n` generated entries (no model cache) and time a ranking. */
function measureRouter(n: number): RouterFigures {
  process.env.MODEL_CACHE_DIR = mkdtempSync(join(tmpdir(), 'bench-router-'));
  const kb = generatedKnowledge(loadConfiguredKnowledge(), n);
  gc();
  const before = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  const router = new Router(kb);
  const trainMs = performance.now() - t0;
  gc();
  const weightsMB = (process.memoryUsage().arrayBuffers - before) / 2 ** 20;
  const texts = kb.entries.slice(0, 200).map((e, i) => `cho hỏi ${e.title} ${i}`);
  const t1 = performance.now();
  for (const t of texts) router.rank(router.features(t));
  const rankMs = (performance.now() - t1) / texts.length;
  rmSync(process.env.MODEL_CACHE_DIR, { recursive: true, force: true });
  const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
  return {
    entries: n,
    features: router.model.size,
    trainMs: Math.round(trainMs),
    weightsMB: round(weightsMB),
    rankMs: round(rankMs, 3),
  };
}

function inChild<T = ScalingFigures>(n: number, flag = '--size'): Promise<T> {
  const child = fork(__filename, [flag, String(n)], {
    execArgv: ['--expose-gc', ...SERVER_NODE_FLAGS, '--max-old-space-size=8192'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((res, rej) => {
    child.once('message', (m) => res(m as T));
    child.once('exit', (code) => (code ? rej(new Error(`size ${n} exited with ${code}`)) : undefined));
  });
}

export interface ScalingReport {
  date: string;
  sizes: ScalingFigures[];
  router: RouterFigures[];
  /** Build time and heap per 1,000 entries at the largest size over the smallest (1 = linear). */
  growth: { buildPerEntry: number; heapPerEntry: number };
  targets: { entries: number; buildMs: number; heapMB: number; p99Ms: number };
}

export async function scaling(): Promise<ScalingReport> {
  const sizes = (process.env.BENCH_SCALING_SIZES ?? '1000,5000,10000,20000').split(',').map(Number);
  const out: ScalingFigures[] = [];
  const repeats = Number(process.env.BENCH_REPEATS ?? 3);
  for (const n of sizes) {
    // Each size in `repeats` fresh processes; each figure is the median of its runs.
    const runs: ScalingFigures[] = [];
    for (let r = 0; r < repeats; r++) runs.push(await inChild(n));
    const median = (key: keyof ScalingFigures): number => {
      const xs = runs.map((x) => x[key]).sort((a, b) => a - b);
      return xs[Math.floor(xs.length / 2)] ?? 0;
    };
    const f = Object.fromEntries(
      (Object.keys(runs[0]!) as Array<keyof ScalingFigures>).map((k) => [k, median(k)]),
    ) as unknown as ScalingFigures;
    out.push(f);
    console.log(
      `${String(f.entries).padStart(6)} entries: build ${f.buildMs} ms, heap ${f.heapMB} MB, RSS ${f.rssMB} MB, p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms`,
    );
  }
  const router: RouterFigures[] = [];
  for (const n of (process.env.BENCH_ROUTER_SIZES ?? '250,500').split(',').filter(Boolean).map(Number)) {
    const f = await inChild<RouterFigures>(n, '--router');
    router.push(f);
    console.log(
      `router, ${f.entries} entries: ${f.features} features, trained in ${f.trainMs} ms, weights ${f.weightsMB} MB, rank ${f.rankMs} ms`,
    );
  }
  const first = out[0]!;
  const last = out[out.length - 1]!;
  const per = (x: number, f: ScalingFigures): number => x / f.entries;
  const round = (x: number): number => Math.round(x * 100) / 100;
  return {
    date: new Date().toISOString(),
    sizes: out,
    router,
    growth: {
      buildPerEntry: round(per(last.buildMs, last) / per(first.buildMs, first)),
      heapPerEntry: round(per(last.heapMB, last) / per(first.heapMB, first)),
    },
    targets: { entries: 10_000, buildMs: 5000, heapMB: 300, p99Ms: 3 },
  };
}

async function main(): Promise<void> {
  const report = await scaling();
  const dir = resolve('bench-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'scaling.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(`growth per entry, largest over smallest: ${JSON.stringify(report.growth)}`);
  console.log(`written: ${join(dir, 'scaling.json')}`);
}

if (require.main === module) {
  const at = process.argv.indexOf('--size');
  const routerAt = process.argv.indexOf('--router');
  if (at >= 0) {
    process.send?.(measure(Number(process.argv[at + 1])), () => process.exit(0));
  } else if (routerAt >= 0) {
    process.send?.(measureRouter(Number(process.argv[routerAt + 1])), () => process.exit(0));
  } else void main();
}

/**
 * The last step of `npm run bench`: one JSON with the figures of the issue
 * "a turn close to the bare framework, a knowledge base that scales"
 * (bench-results/summary.json), read from what the steps before wrote in
 * the same run: turn throughput with its bare restify and bare echo-bot
 * baselines and the ratios (throughput.json), the knowledge base at 1k–20k
 * entries (scaling.json), start-up to /readyz (startup.json), the search on
 * the real knowledge base (search.json), and the web chat bundle's sizes as
 * served (dist/webchat, written by the build). Each target is marked met or
 * not. A step that did not run is left out.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { projectRoot } from '../core/paths';
import type { ScalingReport } from './scaling';
import type { StartupReport } from './startup';
import type { ThroughputReport } from './throughput';

function read<T>(dir: string, file: string): T | undefined {
  const path = join(dir, file);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
}

interface Target {
  what: string;
  target: string;
  value: number | undefined;
  met: boolean;
}

function webchatAssets(): Record<string, number | string> | undefined {
  const dir = join(projectRoot(), 'dist', 'webchat');
  const manifest = read<{ hash: string; identity: string; gzip: string; br: string }>(dir, 'manifest.json');
  if (!manifest) return undefined;
  const size = (f: string): number => statSync(join(dir, f)).size;
  return {
    hash: manifest.hash,
    identityBytes: size(manifest.identity),
    gzipBytes: size(manifest.gzip),
    brotliBytes: size(manifest.br),
    cacheControlHashed: 'public, max-age=31536000, immutable',
  };
}

type Add = (what: string, target: string, value: number | undefined, met: (v: number) => boolean) => void;

/** The turn throughput targets: ratios to the bare baselines of the same run, and p99 latency. */
function throughputTargets(add: Add, throughput: ThroughputReport): void {
  const m = throughput.median;
  add(
    'Direct Line turns/s over bare echo through a connector',
    '>= 0.6',
    throughput.ratios.directLineToEchoConnector,
    (v) => v >= 0.6,
  );
  add(
    '/api/messages (expectReplies) turns/s over bare echo (expectReplies)',
    '>= 0.4',
    throughput.ratios.apiMessagesToEchoExpectReplies,
    (v) => v >= 0.4,
  );
  add('Direct Line p99 ms at 10 connections', '< 50', m.directLine?.p99Ms, (v) => v < 50);
  add('/api/messages p99 ms at 10 connections', '< 50', m.apiMessagesExpectReplies?.p99Ms, (v) => v < 50);
}

/** The knowledge base's scaling targets at 10,000 entries and its growth from the smallest size. */
function scalingTargets(add: Add, scaling: ScalingReport): void {
  const at10k = scaling.sizes.find((s) => s.entries === 10_000);
  add('index build ms at 10,000 entries', '< 5000', at10k?.buildMs, (v) => v < 5000);
  add('index heap MB at 10,000 entries', '< 300', at10k?.heapMB, (v) => v < 300);
  add('search p99 ms at 10,000 entries', '< 3', at10k?.p99Ms, (v) => v < 3);
  add(
    'build time per entry, largest size over smallest (1 = linear)',
    '<= 1.25',
    scaling.growth.buildPerEntry,
    (v) => v <= 1.25,
  );
  add(
    'heap per entry, largest size over smallest (1 = linear)',
    '<= 1.25',
    scaling.growth.heapPerEntry,
    (v) => v <= 1.25,
  );
}

/** Every figure of one `npm run bench` in one object, with each target and whether it is met. */
export function summarise(dir = resolve('bench-results')): Record<string, unknown> {
  const throughput = read<ThroughputReport>(dir, 'throughput.json');
  const scaling = read<ScalingReport>(dir, 'scaling.json');
  const startup = read<StartupReport>(dir, 'startup.json');
  const search = read<{ results: Array<{ name: string; p50Ms: number; p99Ms: number; buildMs: number }> }>(
    dir,
    'search.json',
  );
  const targets: Target[] = [];
  const add: Add = (what, target, value, met) => {
    targets.push({ what, target, value, met: value !== undefined && met(value) });
  };
  if (throughput) throughputTargets(add, throughput);
  if (scaling) scalingTargets(add, scaling);
  if (startup) {
    const cold = startup.coldModelCacheMs;
    add('npm start → /readyz 200 ms, built tree, empty MODEL_CACHE_DIR', '< 5000', cold, (v) => v < 5000);
  }
  return {
    date: new Date().toISOString(),
    note: 'Figures of one run on this machine; throughput as ratios to baselines measured in the same run (median of 3).',
    throughput: throughput && {
      connections: throughput.connections,
      seconds: throughput.seconds,
      repeats: throughput.repeats,
      baselines: {
        bareRestify: throughput.median.restify,
        bareEchoExpectReplies: throughput.median.echoExpectReplies,
        bareEchoThroughConnector: throughput.median.echoConnector,
      },
      project: {
        apiMessagesExpectReplies: throughput.median.apiMessagesExpectReplies,
        directLine: throughput.median.directLine,
      },
      ratios: throughput.ratios,
      cpuRatios: throughput.cpuRatios,
    },
    knowledgeBase: scaling && { sizes: scaling.sizes, growth: scaling.growth, router: scaling.router },
    realKnowledgeBaseSearch: search?.results.find((r) => r.name === 'real knowledge base'),
    startup: startup && {
      coldModelCacheMs: startup.coldModelCacheMs,
      warmModelCacheMs: startup.warmModelCacheMs,
      runs: startup.runs,
    },
    webchatAssets: webchatAssets(),
    targets,
    allMet: targets.every((t) => t.met),
  };
}

function main(): void {
  const dir = resolve('bench-results');
  mkdirSync(dir, { recursive: true });
  const summary = summarise(dir);
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  for (const t of summary.targets as Target[]) {
    console.log(`${t.met ? 'met    ' : 'NOT met'}  ${t.what}: ${t.value ?? '–'} (target ${t.target})`);
  }
  console.log(`written: ${join(dir, 'summary.json')}`);
}

if (require.main === module) main();

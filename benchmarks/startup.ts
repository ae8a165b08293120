/**
 * `npm run bench` (start-up): the time from `npm start` on a built tree to
 * `/readyz` answering 200, on the real knowledge base, with a cold model
 * cache (an empty MODEL_CACHE_DIR: the classifiers are trained) and a warm
 * one (the same directory again: they are loaded). Median of
 * `BENCH_REPEATS` (3) each. Writes bench-results/startup.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { projectRoot } from '../core/paths';

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** Milliseconds from spawning `npm start` to the first 200 from /readyz. */
async function once(modelCacheDir: string): Promise<number> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-startup-'));
  const t0 = performance.now();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: projectRoot(),
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      MODEL_CACHE_DIR: modelCacheDir,
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        if (res.status === 200) return performance.now() - t0;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    // npm runs the server as its child: stop the whole group it leads.
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)] ?? 0);
}

export interface StartupReport {
  date: string;
  repeats: number;
  coldModelCacheMs: number;
  warmModelCacheMs: number;
  runs: { cold: number[]; warm: number[] };
  targetMs: number;
}

export async function startup(): Promise<StartupReport> {
  const repeats = Number(process.env.BENCH_REPEATS ?? 3);
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const cache = mkdtempSync(join(tmpdir(), 'bench-models-'));
    cold.push(Math.round(await once(cache)));
    warm.push(Math.round(await once(cache)));
    rmSync(cache, { recursive: true, force: true });
    console.log(`run ${i + 1}/${repeats}: cold model cache ${cold[i]} ms, warm ${warm[i]} ms`);
  }
  return {
    date: new Date().toISOString(),
    repeats,
    coldModelCacheMs: median(cold),
    warmModelCacheMs: median(warm),
    runs: { cold, warm },
    targetMs: 5000,
  };
}

async function main(): Promise<void> {
  const report = await startup();
  const dir = resolve('bench-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'startup.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(
    `npm start → /readyz 200: cold model cache ${report.coldModelCacheMs} ms, warm ${report.warmModelCacheMs} ms`,
  );
  console.log(`written: ${join(dir, 'startup.json')}`);
}

if (require.main === module) void main();

/**
 * The assistant as its own process (`node dist/app/main.js`, built by Jest's
 * global setup), as a replica runs in production: started with an
 * environment, ready when it logs "listening", stopped or killed at will.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { FIXTURE_SEEDS, ROOT } from '../helpers';

export interface Replica {
  url: string;
  child: ChildProcess;
  /** Every line it wrote to stderr so far (JSON log lines). */
  logs: string[];
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** SIGTERM (a clean stop) or SIGKILL (a crash); resolves when it is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * The environment every test replica shares: loopback, the fixture knowledge
 * base, and the model cache the test run's global set-up trained the fixture
 * models into (MODEL_CACHE_DIR, or the default under TMPDIR): without it a
 * replica trains every model again as it starts, which on two shared cores
 * can outlast the start-up timeout.
 */
export function replicaEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const cache = ['MODEL_CACHE_DIR', 'TMPDIR'].filter((name) => process.env[name] !== undefined);
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...Object.fromEntries(cache.map((name) => [name, process.env[name]])),
    PORT: '0',
    HOST: '127.0.0.1',
    KB_SEEDS_DIR: FIXTURE_SEEDS,
    KB_PASSAGES_DIR: join(FIXTURE_SEEDS, 'none'),
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/** Run `node dist/app/main.js` with `env`; resolves once it listens, rejects if it exits first. */
export function startReplica(env: Record<string, string>, timeoutMs = 30_000): Promise<Replica> {
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', join(ROOT, 'dist', 'app', 'main.js')], {
    env: replicaEnv(env),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let buffer = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    buffer += d;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    logs.push(...lines);
  });
  return new Promise<Replica>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`replica did not start within ${timeoutMs} ms:\n${logs.join('\n')}`));
    }, timeoutMs);
    const onData = (): void => {
      const line = logs.find((l) => l.includes('"msg":"listening"'));
      if (!line) return;
      clearTimeout(timer);
      child.stderr!.off('data', onData);
      const replica: Replica = {
        url: (JSON.parse(line) as { url: string }).url,
        child,
        logs,
        exited,
        alive: () => child.exitCode === null && child.signalCode === null,
        stop: async (signal = 'SIGTERM') => {
          if (replica.alive()) child.kill(signal);
          await exited;
        },
      };
      resolve(replica);
    };
    child.stderr!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(`replica exited (${code ?? signal}) before listening:\n${[...logs, buffer].join('\n')}`),
      );
    });
  });
}

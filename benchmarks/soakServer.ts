/**
 * The assistant as the soak benchmark runs it (benchmarks/soak.ts): the
 * production server in its own process, started with `--expose-gc`, which
 * answers the parent's "sample" message with its memory after a full
 * garbage collection (heap after GC: what is still reachable, not what the
 * young generation happened to hold).
 */
import { loadConfig } from '../app/config';
import { createLogger } from '../core/log';
import { startServer } from '../app/server';

export interface MemorySample {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

const mb = (n: number): number => Math.round((n / 1048576) * 10) / 10;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const server = await startServer(config, createLogger('error'));
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (m: { type: string }) => {
    if (m.type === 'sample') {
      gc?.();
      gc?.();
      const u = process.memoryUsage();
      const sample: MemorySample = {
        rssMb: mb(u.rss),
        heapUsedMb: mb(u.heapUsed),
        heapTotalMb: mb(u.heapTotal),
        externalMb: mb(u.external),
      };
      process.send?.({ type: 'sample', sample, gc: Boolean(gc) });
    } else if (m.type === 'stop') {
      void server.close().then(() => process.exit(0));
    }
  });
  process.send?.({ type: 'ready', url: server.url });
}

void main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});

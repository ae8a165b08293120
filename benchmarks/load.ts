/**
 * A small closed-loop HTTP load generator over keep-alive connections (no
 * dependency): `connections` clients each send their next request as soon
 * as the previous answer has been read, for `seconds`, after a warm-up.
 */
import { Agent, createServer, request, type Server } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  requests: number;
  /**
   * CPU time the target process spent per answered request (µs), when it
   * reports it: less disturbed than turns/s by other work on the machine.
   */
  serverCpuUsPerRequest?: number;
  errors: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LoadOptions {
  port: number;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** The next request of client `client` (its `n`th). */
  next(client: number, n: number): LoadRequest;
  /** Whether a status counts as success (default 2xx). */
  ok?(status: number): boolean;
  /** The target's CPU time so far (µs), read when measuring starts and ends. */
  serverCpuUs?(): Promise<number>;
}

function once(agent: Agent, port: number, r: LoadRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: r.method, path: r.path, headers: r.headers, agent },
      (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0);
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const ok = options.ok ?? ((s: number): boolean => s >= 200 && s < 300);
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  let stop = false;
  const counters = new Array<number>(options.connections).fill(0);
  const client = async (c: number): Promise<void> => {
    while (!stop) {
      const n = counters[c]!++;
      const t0 = performance.now();
      let status = 0;
      try {
        status = await once(agent, options.port, options.next(c, n));
      } catch {
        status = 0;
      }
      if (!measuring) continue;
      if (ok(status)) latencies.push(performance.now() - t0);
      else errors++;
    }
  };
  const clients = Array.from({ length: options.connections }, (_, c) => client(c));
  await new Promise((r) => setTimeout(r, options.warmupSeconds * 1000));
  measuring = true;
  const started = performance.now();
  const cpuBefore = await options.serverCpuUs?.();
  await new Promise((r) => setTimeout(r, options.seconds * 1000));
  measuring = false;
  const elapsed = (performance.now() - started) / 1000;
  const cpuAfter = await options.serverCpuUs?.();
  stop = true;
  await Promise.all(clients);
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
  return {
    requests: latencies.length,
    errors,
    perSecond: round(latencies.length / elapsed, 0),
    p50Ms: round(percentile(sorted, 0.5), 2),
    p99Ms: round(percentile(sorted, 0.99), 2),
    maxMs: round(sorted[sorted.length - 1] ?? 0, 2),
    ...(cpuBefore !== undefined && cpuAfter !== undefined && latencies.length > 0
      ? { serverCpuUsPerRequest: round((cpuAfter - cpuBefore) / latencies.length, 0) }
      : {}),
  };
}

/**
 * The connector a channel would run, on loopback: it takes every reply a bot
 * posts and says OK, so a bot replying through a connector can be loaded.
 */
export async function startConnectorStub(): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"1"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

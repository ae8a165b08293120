/**
 * /readyz tells a load balancer the truth: never 200 before every enabled
 * channel's routes answer (here web chat, Zalo and the console, polled
 * while the server starts, on PostgreSQL), and 503 from the moment shutdown begins, while
 * requests are still served (SHUTDOWN_DRAIN_MS), before anything closes.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { loadConfig } from '../../../app/config';
import { createLogger } from '../../../core/log';
import { startServer, type RunningServer } from '../../../app/server';
import { openDatabase } from '../../../storage/database';
import { FIXTURE_SEEDS } from '../../helpers';
import { FakeZalo } from '../../support/fakeZalo';
import { createTestDatabase, type TestDatabase } from '../../support/postgres';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function status(url: string, init?: RequestInit): Promise<number | 'refused'> {
  try {
    const res = await fetch(url, init);
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 'refused';
  }
}

describe('/readyz', () => {
  let fake: FakeZalo;
  let database: TestDatabase;
  beforeAll(async () => {
    fake = await new FakeZalo().start();
    database = await createTestDatabase('readyz');
  });
  afterAll(async () => {
    await fake.stop();
    await database.drop();
  });

  it('is never 200 while a channel route would answer 404, and turns 503 first on shutdown', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'readyz-')),
      KB_SEEDS_DIR: FIXTURE_SEEDS,
      KB_PASSAGES_DIR: join(FIXTURE_SEEDS, 'none'),
      DATABASE_URL: database.url,
      SHUTDOWN_DRAIN_MS: '700',
      ...fake.env(),
    });
    // The schema is made first; then a transaction holds the settings table, which the web
    // chat's mount reads: the server listens and waits there, with web chat not mounted yet.
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    await openDatabase({ postgresUrl: database.url }).then((db) => db.destroy());
    await holder.query('begin; lock table settings in access exclusive mode');
    setTimeout(() => void holder.query('commit').then(() => holder.end()), 1500);
    let started: RunningServer | undefined;
    let failed: unknown;
    const starting = startServer(
      config,
      createLogger('error', () => undefined),
    ).then(
      (s) => (started = s),
      (e: unknown) => (failed = e),
    );
    const earlyReady: string[] = [];
    const seen = new Set<number | 'refused'>();
    // Poll until the start has finished; each 200 must come with every channel mounted.
    while (!started && !failed) {
      const ready = await status(`${base}/readyz`);
      seen.add(ready);
      if (ready === 200) {
        const routes = {
          webchatToken: await status(`${base}/api/webchat/token`, { method: 'POST' }),
          zalo: await status(`${base}/api/zalo/webhook`, { method: 'POST', body: '{}' }),
          console: await status(`${base}/hotline/api/me`),
        };
        for (const [name, s] of Object.entries(routes)) if (s === 404) earlyReady.push(name);
      }
    }
    await starting;
    if (!started) throw failed;
    expect(seen.has(503)).toBe(true);
    expect(earlyReady).toEqual([]);
    expect(await status(`${base}/readyz`)).toBe(200);

    const closing = started.close();
    // Draining: not ready, yet still serving (the balancer notices and moves away).
    expect(await status(`${base}/readyz`)).toBe(503);
    expect(await status(`${base}/healthz`)).toBe(200);
    expect(await status(`${base}/api/webchat/token`, { method: 'POST' })).toBe(200);
    await closing;
    expect(await status(`${base}/readyz`)).toBe('refused');
  });
});

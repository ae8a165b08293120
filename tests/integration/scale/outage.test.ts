/**
 * The database going away: a replica that cannot reach PostgreSQL at start
 * says so in one line and exits non-zero; one whose PostgreSQL stops later
 * stays up, answers /readyz 503 and fails requests cleanly while it is
 * down, and carries on when it is back, with nothing lost. The server here
 * is a private cluster, so that stopping it disturbs no other test.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../helpers';
import { Stream, newSession, poll, say, startConversation } from '../../support/directline';
import {
  createTestDatabase,
  freePort,
  sharedClusterUrl,
  startCluster,
  type Cluster,
} from '../../support/postgres';
import { replicaEnv, startReplica, type Replica } from '../../support/replica';
import { waitFor } from '../../support/wait';

jest.setTimeout(120_000);

/** Run main.js to its end; its exit code and stderr lines. */
function runToExit(env: Record<string, string>): Promise<{ code: number | null; lines: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--disable-warning=DEP0111', join(ROOT, 'dist', 'app', 'main.js')],
      {
        env: replicaEnv(env),
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (err += d));
    child.on('exit', (code) => resolve({ code, lines: err.split('\n').filter(Boolean) }));
  });
}

describe('a database that cannot be reached at start', () => {
  it('stops the replica with one line naming the database (password hidden) and exit code 1', async () => {
    const port = await freePort();
    const { code, lines } = await runToExit({
      DATABASE_URL: `postgresql://app:s3cret@127.0.0.1:${port}/assistant`,
    });
    expect(code).toBe(1);
    const notStarting = lines.filter((l) => l.startsWith('Not starting:'));
    expect(notStarting).toEqual([
      `Not starting: database postgresql://app:***@127.0.0.1:${port}/assistant unavailable: connect ECONNREFUSED 127.0.0.1:${port}`,
    ]);
    expect(lines.join('\n')).not.toContain('s3cret');
    expect(lines.filter((l) => !l.startsWith('{'))).toHaveLength(1); // no stack trace
  });

  it('says so too when the server answers but the database does not exist', async () => {
    const url = new URL(sharedClusterUrl());
    url.pathname = '/no_such_database';
    const { code, lines } = await runToExit({ DATABASE_URL: url.toString() });
    expect(code).toBe(1);
    expect(lines.filter((l) => !l.startsWith('{'))).toEqual([
      expect.stringMatching(/^Not starting: database .*no_such_database unavailable: .*does not exist$/),
    ]);
  });
});

describe('a database that stops while the replica runs', () => {
  let cluster: Cluster;
  let replica: Replica;

  beforeAll(async () => {
    cluster = await startCluster();
    const database = await createTestDatabase('outage', cluster.url());
    replica = await startReplica({ DATABASE_URL: database.url, WEBCHAT_TOKENS_PER_MINUTE: '100' });
  });

  afterAll(async () => {
    await replica?.stop();
    cluster?.remove();
  });

  const ready = async (): Promise<number> => (await fetch(`${replica.url}/readyz`)).status;

  it('answers 503 while it is down, fails requests cleanly, reconnects by itself and loses nothing', async () => {
    expect(await ready()).toBe(200);
    const s = await newSession(replica.url);
    const { streamUrl } = await startConversation(replica.url, s);
    const stream = await Stream.open(streamUrl);
    expect((await say(replica.url, s, 'dang ky ket hon o dau')).status).toBe(200);
    const before = await poll(replica.url, s);
    expect(before.activities).toHaveLength(3);

    cluster.stop();
    await waitFor(async () => (await ready()) === 503, '/readyz to answer 503');
    const t0 = Date.now();
    const failed = await say(replica.url, s, 'lam cccd o dau');
    expect(failed.status).toBe(503);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(JSON.stringify(failed.json)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/i);
    expect((await fetch(`${replica.url}/healthz`)).status).toBe(200);
    expect(replica.alive()).toBe(true);

    cluster.start();
    await waitFor(async () => (await ready()) === 200, '/readyz to answer 200 again', 20_000);
    expect(replica.alive()).toBe(true);
    expect((await poll(replica.url, s)).activities.map((a) => a.id)).toEqual(
      before.activities.map((a) => a.id),
    );
    // The WebSocket opened before the outage hears the next reply: the bus listens again.
    expect((await say(replica.url, s, 'thế lệ phí bao nhiêu?')).status).toBe(200);
    const reply = await stream.until(
      (a) =>
        a.from.role === 'bot' &&
        a.channelData?.reply?.entry?.id === 'dang-ky-ket-hon' &&
        !before.activities.some((b) => b.id === a.id),
      'the reply after the outage on the old WebSocket',
      20_000,
    );
    expect(JSON.stringify(reply)).toContain('Miễn lệ phí');
    stream.close();
    const logs = replica.logs.join('\n');
    expect(logs).toContain('bus connection lost; reconnecting');
    expect(logs).toContain('bus listening again');
    // The pool's idle connections were cut too: reported, not fatal.
    expect(logs).toContain('database connection lost');
  });
});

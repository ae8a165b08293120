/**
 * The test harness's PostgreSQL clusters: a run owns only the cluster it
 * started. Another run's cluster on the port asked for is never stopped
 * (the start fails instead), a directory without a lock file is never
 * touched, and only a cluster whose owner process has died is cleaned up.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { portInUse, removeOrphans, startCluster, type Cluster } from '../../support/postgres';

jest.setTimeout(120_000);

async function answers(cluster: Cluster): Promise<boolean> {
  const client = new pg.Client({ connectionString: cluster.url() });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('test clusters', () => {
  const started: Cluster[] = [];
  afterAll(() => {
    for (const c of started) c.remove();
  });

  it("refuses a port where another run's cluster listens, and leaves that cluster running", async () => {
    const other = await startCluster();
    started.push(other);
    await expect(startCluster(other.port)).rejects.toThrow(/in use/);
    expect(await answers(other)).toBe(true);
    expect(existsSync(other.dir)).toBe(true);
  });

  it('cleans up only a cluster whose owner died; a live owner or no lock file keeps it', async () => {
    const mine = await startCluster();
    started.push(mine);
    const orphan = await startCluster();
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    writeFileSync(join(orphan.dir, 'owner.pid'), `${dead}\n`);
    const unlocked = mkdtempSync(join(tmpdir(), 'tro-ly-ao-pg-'));
    try {
      const removed = removeOrphans();
      expect(removed).toContain(orphan.dir);
      expect(removed).not.toContain(mine.dir);
      expect(removed).not.toContain(unlocked);
      expect(existsSync(orphan.dir)).toBe(false);
      expect(await portInUse(orphan.port)).toBe(false);
      expect(await answers(mine)).toBe(true);
      expect(existsSync(unlocked)).toBe(true);
    } finally {
      rmSync(unlocked, { recursive: true, force: true });
    }
  });
});

/**
 * Throwaway PostgreSQL clusters for the tests, on loopback only.
 *
 * Jest's global setup starts one shared cluster (on a free port, or
 * TEST_PG_PORT) and exports its address as TEST_POSTGRES_URL; each test file
 * makes its own database in it with `createTestDatabase()`. A test that
 * needs to stop and start the server itself starts a private cluster with
 * `startCluster()`.
 *
 * A run owns only the clusters it created: each lives in its own
 * `tro-ly-ao-pg-<random>` directory with an `owner.pid` lock file naming the
 * process that started it. Two runs (or a developer's own cluster) on one
 * machine never stop each other's server; a port already taken is an error,
 * and the only clusters cleaned up are those whose owner process has died
 * (an interrupted run), which nobody else can be using.
 *
 * On a fresh machine (CI runs as root) Debian's postgresql package is
 * installed with apt-get when missing. initdb refuses to run as root, so
 * the cluster's files belong to the `postgres` user and every server
 * command runs through `runuser -u postgres --`.
 */
import { execFileSync, execSync } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const DIR_PREFIX = 'tro-ly-ao-pg-';
/** The lock file in a cluster's directory: the pid of the process that owns the cluster. */
const OWNER_FILE = 'owner.pid';

/** The newest installed server's bin directory, installing Debian's postgresql when there is none. */
export function postgresBin(): string {
  const find = (): string | undefined => {
    const root = '/usr/lib/postgresql';
    if (!existsSync(root)) return undefined;
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    return versions[0] && join(root, versions[0], 'bin');
  };
  let bin = find();
  if (!bin) {
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql', {
      stdio: 'inherit',
      timeout: 15 * 60_000,
    });
    bin = find();
    if (!bin) throw new Error('PostgreSQL was installed but no /usr/lib/postgresql/*/bin/initdb was found');
  }
  return bin;
}

const asRoot = (): boolean => process.getuid?.() === 0;

/** Run a server program as the postgres user (as ourselves when we are not root). */
function run(bin: string, program: string, args: string[], timeout = 60_000): string {
  const [file, argv] = asRoot()
    ? ['runuser', ['-u', 'postgres', '--', join(bin, program), ...args]]
    : [join(bin, program), args];
  try {
    return execFileSync(file, argv, { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${program} failed: ${err.stderr || err.stdout || err.message}`);
  }
}

export interface Cluster {
  port: number;
  dir: string;
  /** A connection URL for `database` (default: the maintenance database). */
  url(database?: string): string;
  /** Stop the server (fast shutdown: data kept on disk). */
  stop(): void;
  /** Start it again after stop(). */
  start(): void;
  /** Stop the server and delete its files. */
  remove(): void;
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
}

/** Whether process `pid` still runs (EPERM: it runs under another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Stop and delete the clusters whose owner process has died (a run that was
 * killed before its teardown). A directory without a lock file, or whose
 * owner still runs, belongs to someone else and is left alone.
 */
export function removeOrphans(bin = postgresBin()): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    const lock = join(dir, OWNER_FILE);
    const owner = existsSync(lock) ? Number(readFileSync(lock, 'utf8').trim()) : NaN;
    if (!Number.isInteger(owner) || owner <= 0 || alive(owner)) continue;
    if (existsSync(join(dir, 'data', 'postmaster.pid'))) {
      try {
        run(bin, 'pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already stopped
      }
    }
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

/**
 * initdb and start a cluster listening on 127.0.0.1:port (a free port when
 * none is given; its socket in its own directory), owned by this process.
 */
export async function startCluster(requestedPort?: number): Promise<Cluster> {
  const bin = postgresBin();
  removeOrphans(bin);
  const port = requestedPort ?? (await freePort());
  if (await portInUse(port)) {
    throw new Error(
      `port ${port} is in use (another test run, a developer's cluster or another program); ` +
        'leave TEST_PG_PORT unset to use a free port',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  if (asRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  writeFileSync(join(dir, OWNER_FILE), `${process.pid}\n`);
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  run(bin, 'initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8']);
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c max_connections=300',
    // A test cluster: durability against a power cut is not what is tested.
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
  ].join(' ');
  const start = (): void => {
    try {
      run(bin, 'pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', options, 'start']);
    } catch (e) {
      const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-20).join('\n') : '';
      throw new Error(`${(e as Error).message}\n${tail}`);
    }
  };
  const stop = (): void => {
    run(bin, 'pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  };
  start();
  return {
    port,
    dir,
    url: (database = 'postgres') => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    stop,
    start,
    remove: () => {
      try {
        if (existsSync(join(data, 'postmaster.pid'))) stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The shared cluster of this test run (started by Jest's global setup). */
export function sharedClusterUrl(): string {
  const url = process.env.TEST_POSTGRES_URL;
  if (!url) {
    throw new Error(
      'TEST_POSTGRES_URL is not set: run the tests through jest (its global setup starts PostgreSQL)',
    );
  }
  return url;
}

export interface TestDatabase {
  url: string;
  name: string;
  /** Drop the database (closing whatever is still connected to it). */
  drop(): Promise<void>;
}

async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

let counter = 0;

/** A new, empty database in the shared cluster (or in `clusterUrl`). */
export async function createTestDatabase(
  label = 'test',
  clusterUrl = sharedClusterUrl(),
): Promise<TestDatabase> {
  const name = `${label.toLowerCase().replace(/[^a-z0-9]+/g, '_')}_${process.pid}_${++counter}_${Date.now() % 1e6}`;
  await admin(clusterUrl, (c) => c.query(`create database ${c.escapeIdentifier(name)}`));
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      admin(clusterUrl, (c) =>
        c.query(`drop database if exists ${c.escapeIdentifier(name)} with (force)`),
      ).then(() => undefined),
  };
}

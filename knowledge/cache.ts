/**
 * The files the knowledge layer keeps so that a start does not redo work:
 * trained classifiers (`classifier-*`) and the parsed seed files
 * (`parsed-*`). They live in MODEL_CACHE_DIR (default: a directory in the
 * system's temporary directory), and the build writes those of the
 * repository's own knowledge base into `dist/models`, read when the cache
 * directory has nothing. Every file is named by a hash of what it was made
 * from, so a changed input is never answered from an old file; a cache
 * that cannot be read or written is skipped.
 */
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const cacheDir = (): string => process.env.MODEL_CACHE_DIR ?? join(tmpdir(), 'tro-ly-ao-models');

/**
 * How many models the cache directory keeps (MODEL_CACHE_MODELS, default
 * 12; each is two files): about two knowledge bases' worth for a server.
 * A test run makes more than that (the fixture's models, the real
 * knowledge base's, and those of suites that reload with added examples),
 * and a suite whose models were pushed out trains them again under load,
 * so the test set-up raises it.
 */
export function modelsCached(): number {
  const n = Number(process.env.MODEL_CACHE_MODELS ?? 12);
  return Number.isInteger(n) && n > 0 ? n : 12;
}

/** What the build made for the repository's knowledge base (dist/models beside dist/knowledge). */
export const prebuiltDir = (): string => join(__dirname, '..', 'models');

/** Where to look for a cached file, in order. */
export const cacheDirs = (): string[] => [cacheDir(), prebuiltDir()];

/**
 * Write cache files atomically (a reader never sees half a file), then
 * keep only the `keep` most recently used files that start with `prefix`.
 * Throws when the directory cannot be written.
 */
export function writeCached(
  files: Array<[name: string, data: string | Uint8Array]>,
  prefix: string,
  keep: number,
): void {
  const dir = cacheDir();
  mkdirSync(dir, { recursive: true });
  for (const [name, data] of files) {
    const path = join(dir, name);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  }
  const found = readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && !f.endsWith('.tmp'))
    .map((f) => ({ f, at: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const { f } of found.slice(keep)) rmSync(join(dir, f), { force: true });
}

/**
 * Mark cache files as just used, so pruning (by modification time) keeps
 * the files in use — a test run's shared fixture models, a server's own —
 * over ones made once and never read again.
 */
export function touchCached(names: string[]): void {
  const now = new Date();
  for (const name of names) {
    try {
      utimesSync(join(cacheDir(), name), now, now);
    } catch {
      /* a read-only cache: pruning is not ours to do either */
    }
  }
}

/**
 * A JSON file of the cache, parsed, from the first directory that has it
 * (and marked as used there when that is the cache directory); undefined
 * when none has it, it cannot be read, or `valid` refuses it.
 */
export function readCached<T>(
  name: string,
  valid: (value: unknown) => boolean = () => true,
): { value: T } | undefined {
  for (const dir of cacheDirs()) {
    try {
      const value = JSON.parse(readFileSync(join(dir, name), 'utf8')) as unknown;
      if (!valid(value)) continue;
      if (dir === cacheDir()) touchCached([name]);
      return { value: value as T };
    } catch {
      /* not there, or unreadable */
    }
  }
  return undefined;
}

/**
 * A JSON value worked out from `inputs` (strings that together say
 * everything it depends on), kept in a `derived-*` file named by their
 * hash: read back when the inputs are the same, else worked out and kept.
 */
export function rememberedJson<T>(inputs: string[], compute: () => T): T {
  const hash = createHash('sha256');
  for (const input of inputs) hash.update(`${input.length}\u0000${input}`);
  const name = `derived-${hash.digest('hex').slice(0, 32)}.json`;
  const kept = readCached<T>(name);
  if (kept !== undefined) return kept.value;
  const value = compute();
  try {
    writeCached([[name, JSON.stringify(value)]], 'derived-', 24);
  } catch {
    /* a read-only or full disk: worked out again next time */
  }
  return value;
}

/**
 * Where throttles keep their counts: in this process (SQLite, one process)
 * or in the database (PostgreSQL, any number of replicas), so that a limit
 * means the same whatever the number of replicas behind the load balancer.
 *
 * Two shapes of count: fixed windows (`hit`, the web-chat rate limits) and
 * the times of recent events (`events`, the console's login failures).
 *
 * Bounds: the in-process store keeps at most {@link MAX_KEYS} keys per
 * shape (older windows and events are swept, then the oldest keys
 * dropped); the database store deletes rows whose window or event is older
 * than the longest window asked for, at most once a minute per process.
 */
import { sql } from 'kysely';
import type { Database } from './database';

/** Keys the in-process store holds before it sweeps expired ones (and then drops the oldest). */
export const MAX_KEYS = 10_000;

export interface ThrottleStore {
  /** Count one event for `key` in the current fixed window of `windowMs`; the count so far in it, this one included. */
  hit(key: string, windowMs: number, now: number): Promise<number>;
  /** The times of `key`'s events within the last `windowMs`, oldest first. */
  events(key: string, windowMs: number, now: number): Promise<number[]>;
  /** Record an event for `key` at `now`, kept for `keepMs`. */
  record(key: string, now: number, keepMs: number): Promise<void>;
  /** Forget every event of `key`. */
  forget(key: string): Promise<void>;
}

/** Counts in this process (a single SQLite process, and the unit tests). */
export class MemoryThrottleStore implements ThrottleStore {
  private readonly windows = new Map<string, { start: number; count: number; windowMs: number }>();
  private readonly times = new Map<string, { list: number[]; keepMs: number }>();

  async hit(key: string, windowMs: number, now: number): Promise<number> {
    const start = now - (now % windowMs);
    let w = this.windows.get(key);
    if (!w || w.start !== start) {
      this.windows.delete(key);
      w = { start, count: 0, windowMs };
      this.windows.set(key, w);
      if (this.windows.size > MAX_KEYS) {
        for (const [k, x] of this.windows) if (now - x.start >= x.windowMs) this.windows.delete(k);
        dropOldest(this.windows);
      }
    }
    return ++w.count;
  }

  async events(key: string, windowMs: number, now: number): Promise<number[]> {
    const e = this.times.get(key);
    if (!e) return [];
    while (e.list.length > 0 && now - e.list[0]! >= e.keepMs) e.list.shift();
    if (e.list.length === 0) this.times.delete(key);
    return e.list.filter((t) => now - t < windowMs);
  }

  async record(key: string, now: number, keepMs: number): Promise<void> {
    const e = this.times.get(key) ?? { list: [], keepMs };
    this.times.delete(key);
    e.list.push(now);
    this.times.set(key, e);
    if (this.times.size > MAX_KEYS) {
      for (const [k, x] of this.times) if (now - x.list[x.list.length - 1]! >= x.keepMs) this.times.delete(k);
      dropOldest(this.times);
    }
  }

  async forget(key: string): Promise<void> {
    this.times.delete(key);
  }
}

/** Map order is insertion order: the first keys are the least recently touched. */
function dropOldest<V>(map: Map<string, V>): void {
  for (const k of map.keys()) {
    if (map.size <= MAX_KEYS) return;
    map.delete(k);
  }
}

/**
 * Counts in the database, shared by every replica: one row per key and
 * window (an upsert that returns the new count, atomic on both databases)
 * and one row per recorded event.
 */
export class DatabaseThrottleStore implements ThrottleStore {
  private lastPurge = 0;
  private longestMs = 60_000;

  constructor(private readonly db: Database) {}

  async hit(key: string, windowMs: number, now: number): Promise<number> {
    const start = now - (now % windowMs);
    this.purge(now, windowMs);
    const row = await this.db
      .insertInto('throttle_windows')
      .values({ key, window_start: start, count: 1 })
      .onConflict((oc) =>
        oc.columns(['key', 'window_start']).doUpdateSet({ count: sql<number>`throttle_windows.count + 1` }),
      )
      .returning('count')
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async events(key: string, windowMs: number, now: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('throttle_events')
      .select('at')
      .where('key', '=', key)
      .where('at', '>', now - windowMs)
      .orderBy('at')
      .execute();
    return rows.map((r) => Number(r.at));
  }

  async record(key: string, now: number, keepMs: number): Promise<void> {
    this.purge(now, keepMs);
    await this.db.insertInto('throttle_events').values({ key, at: now }).execute();
  }

  async forget(key: string): Promise<void> {
    await this.db.deleteFrom('throttle_events').where('key', '=', key).execute();
  }

  /** Delete what no window still counts, at most once a minute (in the background). */
  private purge(now: number, windowMs: number): void {
    this.longestMs = Math.max(this.longestMs, windowMs);
    if (now - this.lastPurge < 60_000) return;
    this.lastPurge = now;
    const before = now - this.longestMs;
    void (async () => {
      await this.db.deleteFrom('throttle_windows').where('window_start', '<', before).execute();
      await this.db.deleteFrom('throttle_events').where('at', '<', before).execute();
    })().catch(() => undefined);
  }
}

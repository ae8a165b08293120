/**
 * A fixed-window rate limiter per key (a client address, a conversation).
 * Its counts live in a {@link ThrottleStore}: in this process on SQLite, in
 * the database on PostgreSQL, so that N replicas allow what one does.
 * Bound: the store's (see storage/throttle.ts).
 */
import { MemoryThrottleStore, type ThrottleStore } from '../../storage/throttle';

export class RateLimiter {
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = () => Date.now(),
    private readonly store: ThrottleStore = new MemoryThrottleStore(),
    /** Keeps this limiter's keys apart from other limiters' in a shared store. */
    private readonly name = 'rate',
  ) {}

  /** Count one event for `key`; false when the key is over its limit in this window. */
  async take(key: string): Promise<boolean> {
    return (await this.store.hit(`${this.name}:${key}`, this.windowMs, this.now())) <= this.limit;
  }
}

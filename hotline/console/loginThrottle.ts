/**
 * Throttling of console logins that a stranger cannot turn into a lockout.
 *
 * A limit per username alone lets anyone lock an agent out by failing five
 * times from anywhere. Here failures are counted per (username, address)
 * and per address, so one address that guesses is slowed without touching
 * anyone else. Guessing from many addresses is slowed by a back-off per
 * username: once the username has failed often (from all addresses
 * together), every address that has itself failed for it waits longer and
 * longer after each failure. An address that has not failed is never held
 * back by that back-off, so the agent typing the right password from their
 * own desk gets in while the attack goes on.
 *
 * The failures are kept in a ThrottleStore: in this process on SQLite, in
 * the database on PostgreSQL, so that every replica counts them together
 * and N replicas allow what one does.
 */

import { MemoryThrottleStore, type ThrottleStore } from '../../storage/throttle';

const MINUTE = 60_000;
/** How long failures of a username count toward its back-off. */
const GLOBAL_WINDOW_MS = 15 * MINUTE;
/** The longest back-off. */
const MAX_BACKOFF_MS = 15 * MINUTE;

export interface LoginThrottleOptions {
  /** Failures per (username, address) per minute; twice that per address. */
  perMinute: number;
  /** Failures of one username from all addresses in 15 minutes before the back-off starts. */
  globalThreshold?: number;
  now?: () => number;
  /** Where failures are counted (default: this process). */
  store?: ThrottleStore;
}

export class LoginThrottle {
  private readonly store: ThrottleStore;
  private readonly perMinute: number;
  private readonly globalThreshold: number;
  private readonly now: () => number;

  constructor(options: LoginThrottleOptions) {
    this.perMinute = options.perMinute;
    this.globalThreshold = options.globalThreshold ?? options.perMinute * 3;
    this.now = options.now ?? (() => Date.now());
    this.store = options.store ?? new MemoryThrottleStore();
  }

  /** Milliseconds this address must wait before trying this username again; 0 when it may try now. */
  async wait(username: string, address: string): Promise<number> {
    const now = this.now();
    const waits = [0];
    const [fromAddress, pair, byUser] = await Promise.all([
      this.store.events(addressKey(address), MINUTE, now),
      this.store.events(pairKey(username, address), GLOBAL_WINDOW_MS, now),
      this.store.events(userKey(username), GLOBAL_WINDOW_MS, now),
    ]);
    if (fromAddress.length >= this.perMinute * 2)
      waits.push(fromAddress[fromAddress.length - this.perMinute * 2]! + MINUTE - now);
    const lastMinute = pair.filter((t) => now - t < MINUTE);
    if (lastMinute.length >= this.perMinute)
      waits.push(lastMinute[lastMinute.length - this.perMinute]! + MINUTE - now);
    const excess = byUser.length - this.globalThreshold;
    if (excess >= 0 && pair.length > 0) {
      const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** excess);
      waits.push(pair[pair.length - 1]! + backoff - now);
    }
    return Math.max(...waits);
  }

  async failed(username: string, address: string): Promise<void> {
    const now = this.now();
    await Promise.all([
      this.store.record(pairKey(username, address), now, GLOBAL_WINDOW_MS),
      this.store.record(addressKey(address), now, MINUTE),
      this.store.record(userKey(username), now, GLOBAL_WINDOW_MS),
    ]);
  }

  /** The right password: this address starts afresh for this username. */
  async succeeded(username: string, address: string): Promise<void> {
    await this.store.forget(pairKey(username, address));
  }
}

function pairKey(username: string, address: string): string {
  return `login-pair:${username}\n${address}`;
}

function addressKey(address: string): string {
  return `login-address:${address}`;
}

function userKey(username: string): string {
  return `login-user:${username}`;
}

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
 * In-process: each replica counts on its own (the limits bound abuse; they
 * need no shared counter).
 */

const MINUTE = 60_000;
/** How long failures of a username count toward its back-off. */
const GLOBAL_WINDOW_MS = 15 * MINUTE;
/** The longest back-off. */
const MAX_BACKOFF_MS = 15 * MINUTE;
/** Keys kept before old ones are swept. */
const SWEEP_AT = 10_000;

export interface LoginThrottleOptions {
  /** Failures per (username, address) per minute; twice that per address. */
  perMinute: number;
  /** Failures of one username from all addresses in 15 minutes before the back-off starts. */
  globalThreshold?: number;
  now?: () => number;
}

/** Failure times per key, oldest first, forgotten after `windowMs`. */
class Failures {
  private readonly times = new Map<string, number[]>();

  constructor(private readonly windowMs: number) {}

  recent(key: string, now: number): number[] {
    const list = this.times.get(key);
    if (!list) return [];
    while (list.length > 0 && now - (list[0] as number) >= this.windowMs) list.shift();
    if (list.length === 0) this.times.delete(key);
    return list;
  }

  add(key: string, now: number): void {
    const list = this.recent(key, now);
    list.push(now);
    this.times.set(key, list);
    if (this.times.size > SWEEP_AT) for (const k of [...this.times.keys()]) this.recent(k, now);
  }

  clear(key: string): void {
    this.times.delete(key);
  }
}

export class LoginThrottle {
  private readonly byPair = new Failures(GLOBAL_WINDOW_MS);
  private readonly byAddress = new Failures(MINUTE);
  private readonly byUser = new Failures(GLOBAL_WINDOW_MS);
  private readonly perMinute: number;
  private readonly globalThreshold: number;
  private readonly now: () => number;

  constructor(options: LoginThrottleOptions) {
    this.perMinute = options.perMinute;
    this.globalThreshold = options.globalThreshold ?? options.perMinute * 3;
    this.now = options.now ?? (() => Date.now());
  }

  /** Milliseconds this address must wait before trying this username again; 0 when it may try now. */
  wait(username: string, address: string): number {
    const now = this.now();
    const waits = [0];
    const fromAddress = this.byAddress.recent(address, now);
    if (fromAddress.length >= this.perMinute * 2)
      waits.push(fromAddress[fromAddress.length - this.perMinute * 2]! + MINUTE - now);
    const pair = this.byPair.recent(pairKey(username, address), now);
    const lastMinute = pair.filter((t) => now - t < MINUTE);
    if (lastMinute.length >= this.perMinute)
      waits.push(lastMinute[lastMinute.length - this.perMinute]! + MINUTE - now);
    const excess = this.byUser.recent(username, now).length - this.globalThreshold;
    if (excess >= 0 && pair.length > 0) {
      const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** excess);
      waits.push(pair[pair.length - 1]! + backoff - now);
    }
    return Math.max(...waits);
  }

  failed(username: string, address: string): void {
    const now = this.now();
    this.byPair.add(pairKey(username, address), now);
    this.byAddress.add(address, now);
    this.byUser.add(username, now);
  }

  /** The right password: this address starts afresh for this username. */
  succeeded(username: string, address: string): void {
    this.byPair.clear(pairKey(username, address));
  }
}

function pairKey(username: string, address: string): string {
  return `${username}\n${address}`;
}

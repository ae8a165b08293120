/**
 * The bus: small notifications between the replicas of the assistant
 * ("something changed in conversation X, read it"), so that a web-chat
 * stream open on replica A hears of a reply that replica B stored.
 *
 *   const stop = bus.subscribe('webchat', (payload) => { ... });
 *   await bus.publish('webchat', conversationId);
 *   stop();
 *
 * Rules that keep it simple and the same on both implementations:
 *
 * - A notification is a hint, not data. Publish after the change is
 *   committed to the database; a subscriber reads the change from the
 *   database (by id, watermark, timestamp…). Delivery is at most once.
 * - Every subscriber on every replica receives every notification of its
 *   channel, the publishing replica included, asynchronously (never inside
 *   `publish`), in publishing order per publisher.
 * - An empty payload means "notifications may have been missed": the bus
 *   lost its connection and is listening again. Re-read what you show. (Empty
 *   payloads cannot be published, so this is unambiguous.)
 * - Channel names: 1–63 characters from A–Z a–z 0–9 _ . : - (case matters).
 *   Payloads: 1–7,999 bytes of UTF-8 (PostgreSQL's NOTIFY limit). Subscribe
 *   to a few fixed channels at start-up and put the key (a conversation id)
 *   in the payload, rather than a channel per key.
 * - A handler must not throw; if it does, the error is logged and the other
 *   handlers still run.
 *
 * `LocalBus` serves a single process (SQLite). `PostgresBus` uses
 * PostgreSQL's LISTEN/NOTIFY: publishing is `pg_notify` on the shared pool,
 * and one dedicated connection per replica LISTENs; when that connection
 * drops, it reconnects with back-off, LISTENs again and tells every handler
 * with an empty payload.
 */
import pg from 'pg';
import { sql } from 'kysely';
import { pgClientConfig, type Database, type DatabaseConfig, type StorageLog } from './database';

export type BusHandler = (payload: string) => void;

export interface Bus {
  /** Send `payload` to every subscriber of `channel` on every replica. Rejects on a bad name or size. */
  publish(channel: string, payload: string): Promise<void>;
  /** Call `handler` with each payload published on `channel`; returns the function that stops it. */
  subscribe(channel: string, handler: BusHandler): () => void;
  /** Resolves when every subscription made so far receives notifications. */
  ready(): Promise<void>;
  /** Stop listening and release the connection. */
  close(): Promise<void>;
}

const CHANNEL = /^[A-Za-z0-9_.:-]{1,63}$/;
export const MAX_PAYLOAD_BYTES = 7999;

function check(channel: string, payload?: string): void {
  if (!CHANNEL.test(channel)) throw new Error(`bus: invalid channel name "${channel}"`);
  if (payload === undefined) return;
  if (payload.length === 0) throw new Error('bus: the payload must not be empty');
  if (Buffer.byteLength(payload, 'utf8') > MAX_PAYLOAD_BYTES) {
    throw new Error(`bus: payload over ${MAX_PAYLOAD_BYTES} bytes on "${channel}"`);
  }
}

/** Subscribers per channel, shared by both implementations. */
class Handlers {
  private readonly map = new Map<string, Set<BusHandler>>();

  constructor(private readonly log?: StorageLog) {}

  add(channel: string, handler: BusHandler): boolean {
    let set = this.map.get(channel);
    const first = !set;
    if (!set) this.map.set(channel, (set = new Set()));
    set.add(handler);
    return first;
  }

  remove(channel: string, handler: BusHandler): boolean {
    const set = this.map.get(channel);
    if (!set?.delete(handler)) return false;
    if (set.size > 0) return false;
    this.map.delete(channel);
    return true;
  }

  channels(): string[] {
    return [...this.map.keys()];
  }

  dispatch(channel: string, payload: string): void {
    for (const handler of [...(this.map.get(channel) ?? [])]) {
      try {
        handler(payload);
      } catch (e) {
        this.log?.error('bus handler failed', { channel, error: (e as Error).message });
      }
    }
  }

  everyone(payload: string): void {
    for (const channel of this.channels()) this.dispatch(channel, payload);
  }
}

/** The bus of a single process. */
export class LocalBus implements Bus {
  private readonly handlers: Handlers;
  private closed = false;

  constructor(log?: StorageLog) {
    this.handlers = new Handlers(log);
  }

  async publish(channel: string, payload: string): Promise<void> {
    check(channel, payload);
    if (this.closed) throw new Error('bus: closed');
    setImmediate(() => this.handlers.dispatch(channel, payload));
  }

  subscribe(channel: string, handler: BusHandler): () => void {
    check(channel);
    this.handlers.add(channel, handler);
    return () => void this.handlers.remove(channel, handler);
  }

  async ready(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }
}

export interface PostgresBusOptions {
  /** Publishing goes through the database's pool. */
  db: Database;
  /** Where the listening connection connects. */
  client: pg.ClientConfig;
  log?: StorageLog;
  /** Back-off between reconnection attempts, ms: starts at the first, doubles up to the second. */
  backoffMs?: [number, number];
  /** How often the listening connection is checked with a query, ms (a silent network cut). */
  heartbeatMs?: number;
}

/** LISTEN/NOTIFY on PostgreSQL: one listening connection per replica. */
export class PostgresBus implements Bus {
  private readonly handlers: Handlers;
  private client?: pg.Client;
  /** Channels the current client LISTENs to. */
  private listening = new Set<string>();
  /** LISTEN/UNLISTEN statements, one at a time. */
  private syncing: Promise<void> = Promise.resolve();
  private closed = false;
  private retry?: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;
  private backoff: number;

  private constructor(private readonly options: PostgresBusOptions) {
    this.handlers = new Handlers(options.log);
    this.backoff = options.backoffMs?.[0] ?? 250;
    this.heartbeat = setInterval(() => void this.check(), options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  /** Connect the listening connection; rejects when PostgreSQL cannot be reached. */
  static async open(options: PostgresBusOptions): Promise<PostgresBus> {
    const bus = new PostgresBus(options);
    try {
      await bus.connect();
    } catch (e) {
      await bus.close();
      throw e;
    }
    return bus;
  }

  async publish(channel: string, payload: string): Promise<void> {
    check(channel, payload);
    if (this.closed) throw new Error('bus: closed');
    await sql`select pg_notify(${channel}, ${payload})`.execute(this.options.db);
  }

  subscribe(channel: string, handler: BusHandler): () => void {
    check(channel);
    if (this.handlers.add(channel, handler)) void this.sync();
    return () => {
      if (this.handlers.remove(channel, handler)) void this.sync();
    };
  }

  async ready(): Promise<void> {
    await this.sync();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await this.syncing;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.options.client);
    client.on('error', (e) => this.lost(client, e));
    client.on('end', () => this.lost(client));
    client.on('notification', (n) => {
      if (client === this.client && n.payload) this.handlers.dispatch(n.channel, n.payload);
    });
    try {
      await client.connect();
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.listening = new Set();
    await this.sync();
  }

  /** Bring the client's LISTENs in line with the subscribed channels. */
  private sync(): Promise<void> {
    const run = async (): Promise<void> => {
      const client = this.client;
      if (!client) return;
      const wanted = new Set(this.handlers.channels());
      try {
        for (const channel of wanted) {
          if (this.listening.has(channel)) continue;
          await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
          this.listening.add(channel);
        }
        for (const channel of [...this.listening]) {
          if (wanted.has(channel)) continue;
          await client.query(`UNLISTEN ${client.escapeIdentifier(channel)}`);
          this.listening.delete(channel);
        }
      } catch (e) {
        this.lost(client, e as Error);
      }
    };
    this.syncing = this.syncing.then(run, run);
    return this.syncing;
  }

  /** The listening connection failed: drop it and reconnect (once per client). */
  private lost(client: pg.Client, e?: Error): void {
    if (client !== this.client) return;
    this.client = undefined;
    this.listening = new Set();
    void client.end().catch(() => undefined);
    if (this.closed) return;
    this.options.log?.warn('bus connection lost; reconnecting', {
      error: e?.message ?? 'connection ended',
    });
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect().then(
        () => {
          if (this.closed || !this.client) return;
          this.backoff = this.options.backoffMs?.[0] ?? 250;
          this.options.log?.info('bus listening again', { channels: this.handlers.channels().length });
          // Whatever was published while we were away is gone: tell everyone to re-read.
          this.handlers.everyone('');
        },
        () => {
          this.backoff = Math.min(this.backoff * 2, this.options.backoffMs?.[1] ?? 5000);
          this.schedule();
        },
      );
    }, this.backoff);
  }

  /** Heartbeat: a connection cut without a reset is noticed here. */
  private async check(): Promise<void> {
    const client = this.client;
    if (!client) return;
    try {
      await client.query('select 1');
    } catch (e) {
      this.lost(client, e as Error);
    }
  }
}

/** The bus that fits the database: in-process for SQLite, LISTEN/NOTIFY for PostgreSQL. */
export async function openBus(db: Database, config: DatabaseConfig, log?: StorageLog): Promise<Bus> {
  if ('sqliteFile' in config) return new LocalBus(log);
  // A heartbeat that gets no answer within 5 s counts as a lost connection.
  return PostgresBus.open({ db, client: { ...pgClientConfig(config), query_timeout: 5000 }, log });
}

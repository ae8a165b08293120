/**
 * The bus: the same behaviour in process (SQLite) and over PostgreSQL
 * LISTEN/NOTIFY; between two replicas; and after the listening connection
 * is killed.
 */
import { sql } from 'kysely';
import { WebchatStore } from '../../../channels/webchat/store';
import { MAX_PAYLOAD_BYTES, openBus, type Bus } from '../../../storage/bus';
import type { Database, DatabaseConfig } from '../../../storage/database';
import { backends } from '../../support/backends';
import { sleep, waitFor } from '../../support/wait';

const buses: Bus[] = [];
afterEach(async () => {
  await Promise.all(buses.splice(0).map((b) => b.close()));
});

async function busOn(db: Database, config: DatabaseConfig): Promise<Bus> {
  const bus = await openBus(db, config);
  buses.push(bus);
  return bus;
}

describe.each(backends())('the bus with %s', (_name, backend) => {
  let db: Database;
  let config: DatabaseConfig;
  beforeAll(async () => {
    config = await backend.fresh('bus');
    db = await backend.open(config);
  });
  afterAll(() => backend.cleanup());

  it('delivers each payload, in order, to every subscriber of its channel and no other, never inside publish', async () => {
    const bus = await busOn(db, config);
    const a: string[] = [];
    const b: string[] = [];
    const other: string[] = [];
    bus.subscribe('webchat', (p) => a.push(p));
    bus.subscribe('webchat', (p) => b.push(p));
    bus.subscribe('hotline', (p) => other.push(p));
    await bus.ready();
    const publishing = bus.publish('webchat', 'first');
    expect(a).toEqual([]); // never from inside publish, even in process
    await publishing;
    for (let i = 0; i < 20; i++) await bus.publish('webchat', `n${i}`);
    await bus.publish('webchat', 'cuộc trò chuyện 🙂');
    await waitFor(() => a.length === 22 && b.length === 22, 'the notifications');
    expect(a).toEqual(['first', ...Array.from({ length: 20 }, (_, i) => `n${i}`), 'cuộc trò chuyện 🙂']);
    expect(b).toEqual(a);
    expect(other).toEqual([]);
  });

  it('stops calling a handler once it unsubscribed, and keeps calling the others', async () => {
    const bus = await busOn(db, config);
    const kept: string[] = [];
    const dropped: string[] = [];
    bus.subscribe('ticket:updates', (p) => kept.push(p));
    const stop = bus.subscribe('ticket:updates', (p) => dropped.push(p));
    await bus.ready();
    await bus.publish('ticket:updates', '1');
    await waitFor(() => dropped.length === 1, 'the first notification');
    stop();
    await bus.ready();
    await bus.publish('ticket:updates', '2');
    await waitFor(() => kept.length === 2, 'the second notification');
    await sleep(100);
    expect(dropped).toEqual(['1']);
  });

  it('survives a handler that throws', async () => {
    const bus = await busOn(db, config);
    const got: string[] = [];
    bus.subscribe('x', () => {
      throw new Error('boom');
    });
    bus.subscribe('x', (p) => got.push(p));
    await bus.ready();
    await bus.publish('x', 'still delivered');
    await waitFor(() => got.length === 1, 'the notification');
  });

  it('refuses bad channel names, empty payloads and payloads over the NOTIFY limit', async () => {
    const bus = await busOn(db, config);
    expect(() => bus.subscribe('has space', () => undefined)).toThrow(/channel/);
    expect(() => bus.subscribe('x'.repeat(64), () => undefined)).toThrow(/channel/);
    await expect(bus.publish('a;drop', 'x')).rejects.toThrow(/channel/);
    await expect(bus.publish('webchat', '')).rejects.toThrow(/empty/);
    await expect(bus.publish('webchat', 'đ'.repeat(MAX_PAYLOAD_BYTES / 2 + 1))).rejects.toThrow(/bytes/);
    await bus.publish('webchat', 'x'.repeat(MAX_PAYLOAD_BYTES));
  });
});

describe('the bus between PostgreSQL replicas', () => {
  const [, backend] = backends()[1]!;
  let config: DatabaseConfig;
  let dbA: Database;
  let dbB: Database;
  beforeAll(async () => {
    config = await backend.fresh('bus_replicas');
    dbA = await backend.open(config);
    dbB = await backend.open(config);
  });
  afterAll(() => backend.cleanup());

  it('carries a notification from one replica to the other (channel names keep their case)', async () => {
    const a = await busOn(dbA, config);
    const b = await busOn(dbB, config);
    const onA: string[] = [];
    const onB: string[] = [];
    a.subscribe('Hotline.Queue', (p) => onA.push(p));
    b.subscribe('Hotline.Queue', (p) => onB.push(p));
    b.subscribe('hotline.queue', (p) => onB.push(`lower:${p}`));
    await Promise.all([a.ready(), b.ready()]);
    await a.publish('Hotline.Queue', 'ticket 42 claimed');
    await waitFor(() => onA.length === 1 && onB.length === 1, 'both replicas');
    expect(onB).toEqual(['ticket 42 claimed']);
  });

  it('listens again after its connection is killed, says so with an empty payload, and the pool recovers', async () => {
    const a = await busOn(dbA, config);
    const b = await busOn(dbB, config);
    const onA: string[] = [];
    a.subscribe('webchat', (p) => onA.push(p));
    await a.ready();
    // Every connection of this database but the killer's: the bus's listener and the pools' idle ones.
    const killed = await sql<{ pid: number }>`
      select pg_terminate_backend(pid) as pid from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid()`.execute(dbB);
    expect(killed.rows.length).toBeGreaterThanOrEqual(2);
    await waitFor(() => onA.includes(''), 'the resync signal after the reconnect');
    await b.publish('webchat', 'after');
    await waitFor(() => onA.includes('after'), 'a notification after the reconnect');
    // The pools dropped their dead connections and opened new ones.
    await waitFor(async () => (await sql`select 1 as ok`.execute(dbA)).rows.length === 1, 'the pool');
  });

  it('wakes a web-chat stream on replica A when replica B appends to its conversation', async () => {
    const storeA = new WebchatStore(dbA, await busOn(dbA, config));
    const storeB = new WebchatStore(dbB, await busOn(dbB, config));
    await Promise.all([storeA.ready(), storeB.ready()]);
    const id = await storeA.createConversation('web_user');
    let wakes = 0;
    const unwatch = storeA.watch(id, () => wakes++);
    await storeB.append(id, { type: 'message', text: 'trả lời từ B' });
    await waitFor(() => wakes >= 1, 'the watcher on A');
    const seen = await storeA.since(id, 0);
    expect(seen.map((s) => [s.seq, s.activity.text, s.activity.id])).toEqual([
      [0, 'trả lời từ B', `${id}|0000000`],
    ]);
    // Appends racing from both replicas get distinct, gap-free numbers.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? storeA : storeB).append(id, { type: 'message', text: `m${i}` }),
      ),
    );
    expect((await storeB.since(id, 0)).map((s) => s.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i));
    unwatch();
    storeA.close();
    storeB.close();
  });
});

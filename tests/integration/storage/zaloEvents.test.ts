/**
 * Zalo events from receipt to done on both databases: taken once when two
 * replicas receive the same event, a redelivery of a done event dropped,
 * an unfinished one taken over only after its holder's lease ran out.
 */
import { EVENT_LEASE_MS, ZaloEventLog } from '../../../channels/zalo/events';
import { backends } from '../../support/backends';

describe.each(backends())('Zalo event log on %s', (_name, backend) => {
  afterEach(() => backend.closeAll());
  afterAll(() => backend.cleanup());

  it('gives an event to one receiver, drops it once done, and hands over an abandoned one once', async () => {
    const db = await backend.open(await backend.fresh('zalo_events'));
    let now = Date.parse('2026-12-01T08:00:00Z');
    const a = new ZaloEventLog(db, () => now);
    const b = new ZaloEventLog(db, () => now);
    const body = { event_name: 'user_send_text', message: { msg_id: 'm1', text: 'xin chào' } };
    const first = await Promise.all([a.receive('msg:m1', body), b.receive('msg:m1', body)]);
    expect(first.sort()).toEqual([false, true]);
    // Not done, and its holder's lease runs: a redelivery is not processed a second time.
    expect(await b.receive('msg:m1', body)).toBe(false);
    expect(await b.takeUnfinished(now - EVENT_LEASE_MS)).toEqual([]);
    // The holder died: after the lease, one replica takes it over with its body.
    now += EVENT_LEASE_MS + 1000;
    const taken = await Promise.all([
      a.takeUnfinished(now - EVENT_LEASE_MS),
      b.takeUnfinished(now - EVENT_LEASE_MS),
    ]);
    expect(taken.flat()).toEqual([{ key: 'msg:m1', payload: body }]);
    await a.done('msg:m1');
    now += 2 * EVENT_LEASE_MS;
    expect(await b.receive('msg:m1', body)).toBe(false);
    const row = await db.selectFrom('zalo_events').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ done: 1, payload: null });
  });
});

/**
 * Zalo events from receipt to done, in the database. Zalo gets its 200 as
 * soon as an event is validated and does not send it again, so an event
 * that was only marked "seen" before a crash cut its turn short was lost.
 * Now it is recorded as received (with its body) and taken for processing,
 * processed, then marked done; what was received and not done is taken
 * again later: at start, and by a timer. A redelivery of a done event is
 * dropped; of an unfinished one, it is processed if nobody holds it.
 *
 * Who processes an event is settled by conditional updates, so that it is
 * processed once on one replica or several: the first insert takes it; an
 * unfinished event is taken over only when its holder's lease has run out
 * (the holder died, or a replica took longer than any turn does).
 */
import type { Database } from '../../storage/database';
import { maskFields } from '../../core/mask';

/** Longer than any turn takes (sends time out and go to the outbox well before). */
export const EVENT_LEASE_MS = 5 * 60_000;

export interface UnfinishedEvent {
  key: string;
  payload: unknown;
}

export class ZaloEventLog {
  constructor(
    private readonly db: Database,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /**
   * Record an event as received; true when the caller is to process it (the
   * first receipt, or a redelivery of an unfinished event nobody holds).
   */
  async receive(key: string, payload: unknown): Promise<boolean> {
    const at = new Date(this.now()).toISOString();
    const r = await this.db
      .insertInto('zalo_events')
      .values({
        event_key: key,
        received_at: at,
        payload: JSON.stringify(maskFields(payload)),
        done: 0,
        claimed_at: at,
      })
      .onConflict((oc) => oc.column('event_key').doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0) === 1) return true;
    return this.take(key, this.now() - EVENT_LEASE_MS);
  }

  /** Take an unfinished event whose claim is older than `staleBefore` (ms); true when taken. */
  private async take(key: string, staleBefore: number): Promise<boolean> {
    const r = await this.db
      .updateTable('zalo_events')
      .set({ claimed_at: new Date(this.now()).toISOString() })
      .where('event_key', '=', key)
      .where('done', '=', 0)
      .where((eb) =>
        eb.or([eb('claimed_at', 'is', null), eb('claimed_at', '<', new Date(staleBefore).toISOString())]),
      )
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Processing finished: a redelivery is now a duplicate, and the body is not kept. */
  async done(key: string): Promise<void> {
    await this.db
      .updateTable('zalo_events')
      .set({ done: 1, payload: null })
      .where('event_key', '=', key)
      .execute();
  }

  /** Take the unfinished events last claimed before `staleBefore` (ms), oldest first. */
  async takeUnfinished(staleBefore: number): Promise<UnfinishedEvent[]> {
    const rows = await this.db
      .selectFrom('zalo_events')
      .select(['event_key', 'payload'])
      .where('done', '=', 0)
      .where('claimed_at', '<', new Date(staleBefore).toISOString())
      .orderBy('received_at')
      .limit(500)
      .execute();
    const taken: UnfinishedEvent[] = [];
    for (const row of rows) {
      if (row.payload === null) {
        await this.done(row.event_key);
        continue;
      }
      if (await this.take(row.event_key, staleBefore))
        taken.push({ key: row.event_key, payload: JSON.parse(row.payload) as unknown });
    }
    return taken;
  }
}

/**
 * The web chat's conversations and their activities, each with its
 * sequence number (the Direct Line watermark), so that a reload or a
 * reconnect gets the whole history and a reply sent while the citizen was
 * away is waiting when they come back.
 *
 * Every replica sees every conversation: after an activity is stored, its
 * conversation id is published on the bus's `webchat` channel, and a replica
 * with a stream open on that conversation reads the new activities from the
 * database by watermark (`watch`).
 */
import { randomBytes } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type { Bus } from '../../storage/bus';
import { isUniqueViolation, type Database, type StorageLog } from '../../storage/database';
import { maskFields } from '../../core/mask';
import { prepared } from '../../storage/prepared';

/** The bus channel announcing "conversation <payload> has new activities". */
export const WEBCHAT_BUS_CHANNEL = 'webchat';

/** Two a turn (the citizen's activity and the reply): compiled once (`storage/prepared.ts`). */
const insertActivity = prepared((db: Database, $) =>
  db.insertInto('webchat_activities').values({
    conversation_id: $(0),
    seq: $(1),
    activity: $(2),
    created_at: $(3),
  }),
);

export interface StoredActivity {
  seq: number;
  activity: Partial<Activity>;
}

export class WebchatStore {
  private readonly watchers = new Map<string, Set<() => void>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly db: Database,
    private readonly bus: Bus,
    private readonly log?: StorageLog,
  ) {
    this.unsubscribe = bus.subscribe(WEBCHAT_BUS_CHANNEL, (conversationId) => {
      // An empty payload: the bus may have missed some; every watcher re-reads.
      const targets = conversationId
        ? [this.watchers.get(conversationId) ?? []]
        : [...this.watchers.values()];
      for (const set of targets) for (const listener of [...set]) listener();
    });
  }

  /** Resolves when notifications from every replica arrive. */
  ready(): Promise<void> {
    return this.bus.ready();
  }

  /**
   * Call `listener` whenever activities may have been appended to the
   * conversation, on this replica or another; read them with `since`.
   * Returns the function that stops watching.
   */
  watch(conversationId: string, listener: () => void): () => void {
    let set = this.watchers.get(conversationId);
    if (!set) this.watchers.set(conversationId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.watchers.get(conversationId) === set) this.watchers.delete(conversationId);
    };
  }

  close(): void {
    this.unsubscribe();
    this.watchers.clear();
  }

  /** The web chat token secret: configured, or generated once and kept in the database. */
  async secret(configured: string | undefined): Promise<string> {
    if (configured) return configured;
    const row = await this.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', 'webchat_secret')
      .executeTakeFirst();
    if (row) return row.value;
    const value = randomBytes(32).toString('base64url');
    await this.db
      .insertInto('settings')
      .values({ key: 'webchat_secret', value })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const stored = await this.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', 'webchat_secret')
      .executeTakeFirstOrThrow();
    return stored.value;
  }

  async createConversation(userId: string): Promise<string> {
    const id = randomBytes(12).toString('base64url');
    await this.db
      .insertInto('webchat_conversations')
      .values({ id, user_id: userId, started: 0, created_at: new Date().toISOString() })
      .execute();
    return id;
  }

  async conversation(id: string): Promise<{ id: string; userId: string; started: boolean } | undefined> {
    const row = await this.db
      .selectFrom('webchat_conversations')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && { id: row.id, userId: row.user_id, started: row.started === 1 };
  }

  /** Mark a conversation started; true only for the caller that started it. */
  async start(id: string): Promise<boolean> {
    const r = await this.db
      .updateTable('webchat_conversations')
      .set({ started: 1 })
      .where('id', '=', id)
      .where('started', '=', 0)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Append an activity, giving it the next sequence number and its id
   * "<conversation>|<seq>", and announce it on the bus. Two writers racing
   * for a number (on one replica or two) meet at the primary key; the loser
   * retries with the next one.
   *
   * Every activity of the web chat, the citizen's and the bot's, is stored
   * here and only here, so this is where personal data is masked
   * (`maskActivity`), as in transcripts. The activity returned is the one
   * given, with its id: the turn still reads the number the citizen typed
   * (a call-back number), the history keeps it masked.
   */
  async append(conversationId: string, activity: Partial<Activity>): Promise<StoredActivity> {
    for (let attempt = 0; ; attempt++) {
      // The number after the last one this replica stored saves reading the maximum; if another
      // replica (or a concurrent turn) took it meanwhile, the key refuses it and the maximum is read.
      let seq = attempt === 0 ? this.nextSeq.get(conversationId) : undefined;
      if (seq === undefined) {
        const last = await this.db
          .selectFrom('webchat_activities')
          .select((eb) => eb.fn.max('seq').as('seq'))
          .where('conversation_id', '=', conversationId)
          .executeTakeFirst();
        seq = last?.seq === null || last?.seq === undefined ? 0 : Number(last.seq) + 1;
      }
      const stored = { ...activity, id: `${conversationId}|${String(seq).padStart(7, '0')}` };
      try {
        await insertActivity(
          this.db,
          conversationId,
          seq,
          JSON.stringify(maskActivity(stored)),
          new Date().toISOString(),
        );
        this.rememberSeq(conversationId, seq + 1);
        await this.announce(conversationId);
        return { seq, activity: stored };
      } catch (e) {
        this.nextSeq.delete(conversationId);
        if (!isUniqueViolation(e) || attempt >= 20) throw e;
      }
    }
  }

  /** The next sequence number of recently active conversations (a hint, checked by the primary key). */
  private readonly nextSeq = new Map<string, number>();

  private rememberSeq(conversationId: string, next: number): void {
    this.nextSeq.delete(conversationId);
    if (this.nextSeq.size >= 10_000) this.nextSeq.delete(this.nextSeq.keys().next().value as string);
    this.nextSeq.set(conversationId, next);
  }

  /** Tell every replica's streams; a failure only delays them (they re-read on a timer). */
  private async announce(conversationId: string): Promise<void> {
    try {
      await this.bus.publish(WEBCHAT_BUS_CHANNEL, conversationId);
    } catch (e) {
      this.log?.warn('web chat notification not sent', { error: (e as Error).message });
    }
  }

  /** Activities from `watermark` on (the watermark is the next sequence number wanted). */
  async since(conversationId: string, watermark: number): Promise<StoredActivity[]> {
    const rows = await this.db
      .selectFrom('webchat_activities')
      .select(['seq', 'activity'])
      .where('conversation_id', '=', conversationId)
      .where('seq', '>=', watermark)
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({ seq: Number(r.seq), activity: JSON.parse(r.activity) as Partial<Activity> }));
  }
}

export { mayHoldPersonalData } from '../../core/mask';

/**
 * A copy of `value` with personal data masked in its text fields; ids,
 * addresses and links are left alone (a masked id or link would break).
 */
export function maskActivity<T>(value: T): T {
  return maskFields(value);
}

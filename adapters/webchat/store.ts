/**
 * The web chat's conversations and their activities, each with its
 * sequence number (the Direct Line watermark), so that a reload or a
 * reconnect gets the whole history and a reply sent while the citizen was
 * away is waiting when they come back.
 */
import { randomBytes } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type { Database } from '../../storage/database';

export interface StoredActivity {
  seq: number;
  activity: Partial<Activity>;
}

export class WebchatStore {
  constructor(private readonly db: Database) {}

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
   * "<conversation>|<seq>". Two writers racing for a number retry.
   */
  async append(conversationId: string, activity: Partial<Activity>): Promise<StoredActivity> {
    for (let attempt = 0; ; attempt++) {
      const last = await this.db
        .selectFrom('webchat_activities')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('conversation_id', '=', conversationId)
        .executeTakeFirst();
      const seq = last?.seq === null || last?.seq === undefined ? 0 : Number(last.seq) + 1;
      const stored = { ...activity, id: `${conversationId}|${String(seq).padStart(7, '0')}` };
      try {
        await this.db
          .insertInto('webchat_activities')
          .values({
            conversation_id: conversationId,
            seq,
            activity: JSON.stringify(stored),
            created_at: new Date().toISOString(),
          })
          .execute();
        return { seq, activity: stored };
      } catch (e) {
        if (attempt >= 5) throw e;
      }
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

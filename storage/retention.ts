/**
 * Retention: what citizens said is kept only as long as the province's
 * policy says (`RETENTION_DAYS`). Older transcripts, web-chat histories,
 * idle conversation state, Zalo de-duplication keys and the messages of
 * closed hotline tickets are deleted; tickets themselves (code, category,
 * rating, times: no citizen text beyond the subject) stay for statistics,
 * with the subject and call-back number cleared. The outcome of each
 * message (the supervisor's dashboard and inbox, `turn_outcomes`) goes with
 * the transcripts; the example questions supervisors chose to add to the
 * knowledge base (`kb_examples`) are knowledge and stay.
 *
 * Every replica may run it: the deletes are idempotent.
 */
import type { Database } from './database';

export interface RetentionResult {
  transcripts: number;
  webchatActivities: number;
  webchatConversations: number;
  botState: number;
  zaloEvents: number;
  ticketMessages: number;
  ticketsCleared: number;
  turnOutcomes: number;
}

/** Delete what is older than `days` days (before `now`). */
export async function purgeOlderThan(db: Database, days: number, now = new Date()): Promise<RetentionResult> {
  const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
  const count = (r: { numDeletedRows?: bigint; numUpdatedRows?: bigint }): number =>
    Number(r.numDeletedRows ?? r.numUpdatedRows ?? 0);
  const transcripts = await db.deleteFrom('transcripts').where('created_at', '<', cutoff).executeTakeFirst();
  const outcomes = await db.deleteFrom('turn_outcomes').where('created_at', '<', cutoff).executeTakeFirst();
  const activities = await db
    .deleteFrom('webchat_activities')
    .where('created_at', '<', cutoff)
    .executeTakeFirst();
  const conversations = await db
    .deleteFrom('webchat_conversations')
    .where('created_at', '<', cutoff)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('webchat_activities')
            .select('webchat_activities.seq')
            .whereRef('webchat_activities.conversation_id', '=', 'webchat_conversations.id'),
        ),
      ),
    )
    .executeTakeFirst();
  const state = await db.deleteFrom('bot_state').where('updated_at', '<', cutoff).executeTakeFirst();
  const events = await db.deleteFrom('zalo_events').where('received_at', '<', cutoff).executeTakeFirst();
  const closed = db
    .selectFrom('tickets')
    .select('tickets.id')
    .where('status', 'in', ['resolved', 'cancelled'])
    .where('resolved_at', '<', cutoff);
  const messages = await db.deleteFrom('ticket_messages').where('ticket_id', 'in', closed).executeTakeFirst();
  const cleared = await db
    .updateTable('tickets')
    .set({ subject: '', callback_phone: null, note: null })
    .where('status', 'in', ['resolved', 'cancelled'])
    .where('resolved_at', '<', cutoff)
    .where('subject', '!=', '')
    .executeTakeFirst();
  await db.deleteFrom('hotline_sessions').where('expires_at', '<', now.getTime()).execute();
  return {
    transcripts: count(transcripts),
    webchatActivities: count(activities),
    webchatConversations: count(conversations),
    botState: count(state),
    zaloEvents: count(events),
    ticketMessages: count(messages),
    ticketsCleared: count(cleared),
    turnOutcomes: count(outcomes),
  };
}

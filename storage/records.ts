/**
 * Transcripts: what was said (personal numbers masked), for the hotline's
 * hand-off view. Whether an answer helped is kept with what the message came
 * to (storage/outcomes.ts), where the supervisor's dashboard reads it.
 */
import type { Database } from './database';
import { prepared } from './prepared';
import { maskPersonalData } from '../core/mask';

export interface TranscriptLine {
  conversationId: string;
  channel: string;
  role: 'user' | 'bot';
  text: string;
  entryId?: string | null;
}

/** Two a turn: the citizen's line and the reply's. */
const insertLine = prepared((db: Database, $) =>
  db.insertInto('transcripts').values({
    conversation_id: $(0),
    channel: $(1),
    role: $(2),
    text: $(3),
    entry_id: $(4),
    created_at: $(5),
  }),
);

export class Records {
  constructor(private readonly db: Database) {}

  async addTranscript(line: TranscriptLine): Promise<void> {
    await insertLine(
      this.db,
      line.conversationId,
      line.channel,
      line.role,
      maskPersonalData(line.text),
      line.entryId ?? null,
      new Date().toISOString(),
    );
  }

  async transcript(
    conversationId: string,
  ): Promise<Array<{ role: string; text: string; created_at: string }>> {
    return this.db
      .selectFrom('transcripts')
      .select(['role', 'text', 'created_at'])
      .where('conversation_id', '=', conversationId)
      .orderBy('id')
      .execute();
  }
}

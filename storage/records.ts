/**
 * Transcripts: what was said (personal numbers masked), for the hotline's
 * hand-off view. Whether an answer helped is kept with what the message came
 * to (storage/outcomes.ts), where the supervisor's dashboard reads it.
 */
import type { Database } from './database';
import { maskPersonalData } from '../core/mask';

export interface TranscriptLine {
  conversationId: string;
  channel: string;
  role: 'user' | 'bot';
  text: string;
  entryId?: string | null;
}

export class Records {
  constructor(private readonly db: Database) {}

  async addTranscript(line: TranscriptLine): Promise<void> {
    await this.db
      .insertInto('transcripts')
      .values({
        conversation_id: line.conversationId,
        channel: line.channel,
        role: line.role,
        text: maskPersonalData(line.text),
        entry_id: line.entryId ?? null,
        created_at: new Date().toISOString(),
      })
      .execute();
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

/**
 * Transcripts and feedback: what was said (personal numbers masked) and
 * whether answers helped, for the hotline's hand-off view and for improving
 * the knowledge base.
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

  async addFeedback(conversationId: string, entryId: string | null, helpful: boolean): Promise<void> {
    await this.db
      .insertInto('feedback')
      .values({
        conversation_id: conversationId,
        entry_id: entryId,
        helpful: helpful ? 1 : 0,
        created_at: new Date().toISOString(),
      })
      .execute();
  }

  async feedbackFor(entryId: string): Promise<{ helpful: number; notHelpful: number }> {
    const rows = await this.db
      .selectFrom('feedback')
      .select('helpful')
      .where('entry_id', '=', entryId)
      .execute();
    const helpful = rows.filter((r) => r.helpful === 1).length;
    return { helpful, notHelpful: rows.length - helpful };
  }
}

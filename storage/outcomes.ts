/**
 * What each citizen message came to, one row a message: answered (from
 * which entry), clarified, not found, declined, handed off, an emergency,
 * or something else (a lesson, a menu, a message relayed to an agent). The
 * supervisor's dashboard counts them and the inbox of unanswered questions
 * reads them. Texts are masked before they are stored, and only kept for
 * the outcomes that are questions.
 *
 * Also the example questions supervisors add from the inbox (`kb_examples`):
 * the composition root merges them into the knowledge base the assistant
 * learns from, so `knowledge/` never reads the database.
 */
import type { Database } from './database';
import { prepared } from './prepared';
import { maskPersonalData } from '../core/mask';
import { zonedParts } from '../core/zonedTime';

export const OUTCOMES = [
  'answered',
  'clarified',
  'notFound',
  'declined',
  'handedOff',
  'emergency',
  'other',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface TurnOutcome {
  channel: string;
  conversationId: string;
  outcome: Outcome;
  text: string;
  entryId?: string | null;
  /** The entries the assistant considered, best first. */
  candidates?: string[];
  at?: Date;
}

const DAY_HOUR: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  hourCycle: 'h23',
};

/**
 * The calendar day (YYYY-MM-DD) and hour (0–23) of a moment in a time zone.
 * The last minute's answer is kept: every turn asks, formatting a date costs
 * about as much as the rest of recording the turn, and no time zone changes
 * its offset within a minute.
 */
export function localDayHour(at: Date, timeZone: string): { day: string; hour: number } {
  const minute = Math.floor(at.getTime() / 60_000);
  if (lastDayHour?.minute === minute && lastDayHour.timeZone === timeZone) return { ...lastDayHour.value };
  const get = zonedParts(at, timeZone, DAY_HOUR, 'en-CA');
  const value = { day: `${get('year')}-${get('month')}-${get('day')}`, hour: Number(get('hour')) };
  lastDayHour = { minute, timeZone, value };
  return { ...value };
}

let lastDayHour: { minute: number; timeZone: string; value: { day: string; hour: number } } | undefined;

export type ExampleStatus = 'example' | 'draft';

export interface SupervisorExample {
  id: number;
  entryId: string;
  text: string;
  status: ExampleStatus;
  agentId: number | null;
  createdAt: string;
}

/** One a turn: what the message came to. */
const insertOutcome = prepared((db: Database, $) =>
  db.insertInto('turn_outcomes').values({
    channel: $(0),
    conversation_id: $(1),
    created_at: $(2),
    day: $(3),
    hour: $(4),
    outcome: $(5),
    text: $(6),
    entry_id: $(7),
    candidates: $(8),
    helpful: null,
    reviewed: null,
  }),
);

export class TurnOutcomes {
  constructor(
    readonly db: Database,
    /** The zone days and hours are counted in (HOTLINE_TIMEZONE). */
    readonly timeZone = 'Asia/Ho_Chi_Minh',
  ) {}

  async record(o: TurnOutcome): Promise<void> {
    const at = o.at ?? new Date();
    const { day, hour } = localDayHour(at, this.timeZone);
    await insertOutcome(
      this.db,
      o.channel,
      o.conversationId,
      at.toISOString(),
      day,
      hour,
      o.outcome,
      o.outcome === 'other' ? null : maskPersonalData(o.text).slice(0, 1000),
      o.entryId ?? null,
      JSON.stringify((o.candidates ?? []).slice(0, 5)),
    );
  }

  /** "Hữu ích" / "Chưa hữu ích" on the conversation's last answer. */
  async feedback(conversationId: string, helpful: boolean): Promise<void> {
    const last = await this.db
      .selectFrom('turn_outcomes')
      .select('id')
      .where('conversation_id', '=', conversationId)
      .where('outcome', '=', 'answered')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (last)
      await this.db
        .updateTable('turn_outcomes')
        .set({ helpful: helpful ? 1 : 0 })
        .where('id', '=', last.id)
        .execute();
  }

  /** Mark inbox rows as dealt with (they leave the inbox). */
  async review(ids: number[], decision: 'example' | 'draft' | 'outside'): Promise<number> {
    if (ids.length === 0) return 0;
    const r = await this.db
      .updateTable('turn_outcomes')
      .set({ reviewed: decision })
      .where('id', 'in', ids)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async addExamples(
    entryId: string,
    texts: string[],
    status: ExampleStatus,
    agentId: number | null,
  ): Promise<number> {
    const existing = new Set(
      (await this.examples(status)).filter((e) => e.entryId === entryId).map((e) => e.text),
    );
    const fresh = [...new Set(texts.map((t) => maskPersonalData(t).trim()))].filter(
      (t) => t && !existing.has(t),
    );
    if (fresh.length === 0) return 0;
    const createdAt = new Date().toISOString();
    await this.db
      .insertInto('kb_examples')
      .values(
        fresh.map((text) => ({ entry_id: entryId, text, status, agent_id: agentId, created_at: createdAt })),
      )
      .execute();
    return fresh.length;
  }

  async examples(status?: ExampleStatus): Promise<SupervisorExample[]> {
    let q = this.db.selectFrom('kb_examples').selectAll();
    if (status) q = q.where('status', '=', status);
    const rows = await q.orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id,
      entryId: r.entry_id,
      text: r.text,
      status: r.status as ExampleStatus,
      agentId: r.agent_id,
      createdAt: r.created_at,
    }));
  }
}

/**
 * The inbox of unanswered questions and the top questions per entry: the
 * messages that ended "not found", a clarification no choice followed, or an
 * answer marked "Chưa hữu ích", grouped by similarity with the assistant's
 * own normalisation (tone marks folded, chat spellings and synonyms spelt
 * out, filler and field words dropped: `contentWords`), most asked first.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { fold } from '../../knowledge/normalize';
import type { Database } from '../../storage/database';
import { channelWhere, type Period } from './insight';

export interface QuestionRow {
  id: number;
  conversationId: string;
  outcome: string;
  text: string;
  entryId: string | null;
  candidates: string[];
  helpful: number | null;
  day: string;
}

export interface QuestionGroup {
  /** Stable while the group's leading question is the same. */
  key: string;
  /** The question asked most often in the group. */
  text: string;
  /** How many citizens (conversations) asked it. */
  count: number;
  messages: number;
  /** How the messages ended: notFound, clarified (no choice followed), notHelpful. */
  outcomes: { notFound: number; clarified: number; notHelpful: number };
  /** Distinct questions of the group, most asked first (masked when stored). */
  examples: string[];
  /** The entries the assistant considered, most often first. */
  candidates: Array<{ id: string; title: string; times: number }>;
  /** The rows behind the group (for a supervisor's decision). */
  ids: number[];
}

/** The words that make two questions the same question. */
export type Words = (text: string) => string[];

/** Two questions are grouped when their words overlap this much (Jaccard). */
const SIMILAR = 0.5;
/** Rows read at the most for one inbox (the newest). */
const MAX_ROWS = 20_000;

const jaccard = (a: Set<string>, b: Set<string>): number => {
  let both = 0;
  for (const w of a) if (b.has(w)) both++;
  const union = a.size + b.size - both;
  return union === 0 ? 0 : both / union;
};

/** Group questions by similarity, most asked (by distinct conversations) first. */
export function groupQuestions(
  rows: QuestionRow[],
  words: Words,
  titleOf: (id: string) => string | undefined,
): QuestionGroup[] {
  // Identical word sets first, then greedy merging into the most asked similar group.
  const buckets = new Map<string, { words: Set<string>; rows: QuestionRow[] }>();
  for (const r of rows) {
    const w = [...new Set(words(r.text))].sort();
    const key = w.length > 0 ? w.join(' ') : r.text.toLowerCase().trim();
    const b = buckets.get(key) ?? { words: new Set(w), rows: [] };
    b.rows.push(r);
    buckets.set(key, b);
  }
  const sorted = [...buckets.values()].sort((a, b) => b.rows.length - a.rows.length);
  const groups: Array<{ words: Set<string>; rows: QuestionRow[] }> = [];
  for (const b of sorted) {
    const home =
      b.words.size > 0
        ? groups.find((g) => g.words.size > 0 && jaccard(g.words, b.words) >= SIMILAR)
        : undefined;
    if (home) home.rows.push(...b.rows);
    else groups.push({ words: b.words, rows: [...b.rows] });
  }
  return groups
    .map((g) => summarise(g.rows, titleOf))
    .sort((a, b) => b.count - a.count || b.messages - a.messages || a.text.localeCompare(b.text));
}

function summarise(rows: QuestionRow[], titleOf: (id: string) => string | undefined): QuestionGroup {
  const texts = new Map<string, number>();
  for (const r of rows) texts.set(r.text, (texts.get(r.text) ?? 0) + 1);
  // Most asked first; between equals, the one written with tone marks reads best.
  const marked = (t: string): number => (fold(t) === t.toLowerCase() ? 0 : 1);
  const examples = [...texts]
    .sort((a, b) => b[1] - a[1] || marked(b[0]) - marked(a[0]) || a[0].localeCompare(b[0]))
    .map(([t]) => t);
  const considered = new Map<string, number>();
  for (const r of rows)
    for (const id of r.entryId ? [r.entryId, ...r.candidates] : r.candidates)
      considered.set(id, (considered.get(id) ?? 0) + 1);
  const text = examples[0] ?? '';
  return {
    key: createHash('sha256').update(text).digest('hex').slice(0, 16),
    text,
    count: new Set(rows.map((r) => r.conversationId)).size,
    messages: rows.length,
    outcomes: {
      notFound: rows.filter((r) => r.outcome === 'notFound').length,
      clarified: rows.filter((r) => r.outcome === 'clarified').length,
      notHelpful: rows.filter((r) => r.outcome === 'answered').length,
    },
    examples: examples.slice(0, 5),
    candidates: [...considered]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([id, times]) => ({ id, title: titleOf(id) ?? id, times })),
    ids: rows.map((r) => r.id).sort((a, b) => a - b),
  };
}

const toRow = (r: {
  id: number;
  conversation_id: string;
  outcome: string;
  text: string | null;
  entry_id: string | null;
  candidates: string;
  helpful: number | null;
  day: string;
}): QuestionRow => {
  let candidates: string[] = [];
  try {
    const parsed: unknown = JSON.parse(r.candidates);
    if (Array.isArray(parsed)) candidates = parsed.filter((c): c is string => typeof c === 'string');
  } catch {
    /* an unreadable list is no list */
  }
  return {
    id: r.id,
    conversationId: r.conversation_id,
    outcome: r.outcome,
    text: r.text ?? '',
    entryId: r.entry_id,
    candidates,
    helpful: r.helpful,
    day: r.day,
  };
};

const ROW_COLUMNS = [
  't.id',
  't.conversation_id',
  't.outcome',
  't.text',
  't.entry_id',
  't.candidates',
  't.helpful',
  't.day',
] as const;

/**
 * The questions not yet dealt with that ended not found, in a clarification
 * whose next message did not pick one of the offered entries, or in an
 * answer marked unhelpful.
 */
export async function unansweredRows(db: Database, period: Period): Promise<QuestionRow[]> {
  // The conversation's next message answered from one of the entries the clarification offered.
  const chosen = sql<boolean>`exists (
    select 1 from turn_outcomes n
    where n.conversation_id = t.conversation_id
      and n.id = (select min(m.id) from turn_outcomes m where m.conversation_id = t.conversation_id and m.id > t.id)
      and n.outcome = 'answered'
      and t.candidates like ('%"' || n.entry_id || '"%'))`;
  const rows = await db
    .selectFrom('turn_outcomes as t')
    .select(ROW_COLUMNS)
    .where('t.day', '>=', period.from)
    .where('t.day', '<=', period.to)
    .where(channelWhere<'turn_outcomes'>(period.channel) as never)
    .where('t.reviewed', 'is', null)
    .where('t.text', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('t.outcome', '=', 'notFound'),
        eb.and([eb('t.outcome', '=', 'answered'), eb('t.helpful', '=', 0)]),
        eb.and([eb('t.outcome', '=', 'clarified'), eb.not(chosen)]),
      ]),
    )
    .orderBy('t.id', 'desc')
    .limit(MAX_ROWS)
    .execute();
  return rows.map(toRow);
}

export interface WeekTop {
  /** The Monday the week starts on, YYYY-MM-DD. */
  week: string;
  entries: Array<{
    id: string;
    title: string;
    count: number;
    /** Against the week before (0 for the first week of the period). */
    change: number;
    questions: Array<{ text: string; count: number }>;
  }>;
}

/** The Monday of a day's week. */
export function weekOf(day: string): string {
  const t = Date.parse(`${day}T00:00:00Z`);
  const weekday = (new Date(t).getUTCDay() + 6) % 7;
  return new Date(t - weekday * 86_400_000).toISOString().slice(0, 10);
}

/** Answered questions per week and entry, most asked first, with the questions that led to each. */
export async function topQuestions(
  db: Database,
  period: Period,
  words: Words,
  titleOf: (id: string) => string | undefined,
  perWeek = 10,
): Promise<WeekTop[]> {
  const rows = (
    await db
      .selectFrom('turn_outcomes as t')
      .select(ROW_COLUMNS)
      .where('t.day', '>=', period.from)
      .where('t.day', '<=', period.to)
      .where(channelWhere<'turn_outcomes'>(period.channel) as never)
      .where('t.outcome', '=', 'answered')
      .where('t.entry_id', 'is not', null)
      .where('t.text', 'is not', null)
      .orderBy('t.id', 'desc')
      .limit(MAX_ROWS)
      .execute()
  ).map(toRow);
  const weeks = new Map<string, Map<string, QuestionRow[]>>();
  for (const r of rows) {
    const week = weeks.get(weekOf(r.day)) ?? new Map<string, QuestionRow[]>();
    weeks.set(weekOf(r.day), week);
    const list = week.get(r.entryId ?? '') ?? [];
    list.push(r);
    week.set(r.entryId ?? '', list);
  }
  const ordered = [...weeks.keys()].sort();
  return ordered.map((week, i) => {
    const before = weeks.get(ordered[i - 1] ?? '');
    const entries = [...(weeks.get(week) ?? new Map<string, QuestionRow[]>())]
      .map(([id, list]) => ({
        id,
        title: titleOf(id) ?? id,
        count: list.length,
        change: before ? list.length - (before.get(id)?.length ?? 0) : 0,
        questions: groupQuestions(list, words, titleOf)
          .slice(0, 3)
          .map((g) => ({ text: g.text, count: g.messages })),
      }))
      .sort((a, b) => b.count - a.count || a.id.localeCompare(b.id))
      .slice(0, perWeek);
    return { week, entries };
  });
}

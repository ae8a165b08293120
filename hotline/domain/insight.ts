/**
 * The supervisor's dashboard figures: for a period of calendar days (in the
 * hotline's time zone) and a channel, the conversations and messages per
 * day, what the messages came to (answered, clarified, not found, declined,
 * handed off, emergencies), the busiest hours, the hand-off waiting times and
 * the citizens' ratings of the hotline. Counted by the database, the same
 * queries on SQLite and PostgreSQL.
 */
import { sql, type ExpressionBuilder } from 'kysely';
import type { Database, Tables } from '../../storage/database';
import { localDayHour, type Outcome } from '../../storage/outcomes';

/** The channels a supervisor can pick: Zalo, this server's web chat, and every other Bot Framework channel. */
export const CHANNELS = ['zalo', 'webchat', 'botframework'] as const;
export type ChannelFilter = (typeof CHANNELS)[number] | 'all';

/** Bot Framework channel ids of the channels this server runs itself. */
const OWN_CHANNELS: Record<'zalo' | 'webchat', string> = { zalo: 'zalo', webchat: 'directline' };

export interface Period {
  /** First and last calendar day, YYYY-MM-DD, both included. */
  from: string;
  to: string;
  channel: ChannelFilter;
}

export class PeriodError extends Error {}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

const addDays = (day: string, n: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** Every day from `from` to `to`, both included. */
export function daysOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/**
 * The period asked for: `from` and `to` as YYYY-MM-DD (default: the last
 * seven days, today included), `channel` one of CHANNELS or empty for all.
 */
export function parsePeriod(
  q: Record<string, unknown>,
  timeZone: string,
  now: Date = new Date(),
  maxDays = 366,
): Period {
  const today = localDayHour(now, timeZone).day;
  const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
  const to = text(q.to) || today;
  const from = text(q.from) || addDays(to, -6);
  for (const [name, d] of [
    ['from', from],
    ['to', to],
  ] as const)
    if (!DAY.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`)))
      throw new PeriodError(`${name}: a day written YYYY-MM-DD`);
  if (from > to) throw new PeriodError('from must not be after to');
  if (daysOf(from, to).length > maxDays) throw new PeriodError(`at most ${maxDays} days at once`);
  const channel = text(q.channel) || 'all';
  if (channel !== 'all' && !(CHANNELS as readonly string[]).includes(channel))
    throw new PeriodError(`channel: ${CHANNELS.join(', ')} or empty for all`);
  return { from, to, channel: channel as ChannelFilter };
}

/** The instant a calendar day starts in a time zone. */
export function startOfDay(day: string, timeZone: string): Date {
  const guess = Date.parse(`${day}T00:00:00Z`);
  const local = localDayHour(new Date(guess), timeZone);
  const shown = Date.parse(`${local.day}T${String(local.hour).padStart(2, '0')}:00:00Z`);
  return new Date(guess - (shown - guess));
}

type WithChannel = 'turn_outcomes' | 'tickets';

/** A where-clause on the `channel` column for the channel filter. */
export function channelWhere<T extends WithChannel>(channel: ChannelFilter) {
  return (eb: ExpressionBuilder<Tables, T>) => {
    const column = eb.ref('channel' as never) as never;
    if (channel === 'all') return eb.lit(true);
    if (channel === 'botframework') return eb(column, 'not in', Object.values(OWN_CHANNELS) as never);
    return eb(column, '=', OWN_CHANNELS[channel] as never);
  };
}

export interface DayFigures {
  day: string;
  conversations: number;
  messages: number;
  answered: number;
  clarified: number;
  notFound: number;
  declined: number;
  handedOff: number;
  emergencies: number;
  other: number;
}

export type Figures = Omit<DayFigures, 'day'>;

export interface InsightStats {
  from: string;
  to: string;
  channel: ChannelFilter;
  totals: Figures & {
    /** Messages that were questions or requests (every outcome but `other`): the shares' base. */
    questions: number;
    helpful: number;
    notHelpful: number;
  };
  /** Shares of `questions`, 0..1. */
  shares: { answered: number; clarified: number; notFound: number; declined: number; handedOff: number };
  days: DayFigures[];
  /** Messages by hour of the day (0–23, the hotline's time zone). */
  hours: number[];
  handoff: {
    tickets: number;
    urgent: number;
    claimed: number;
    /** From opening to an agent's claim, live tickets: median and 90th percentile (nearest rank). */
    waitSeconds: { median: number | null; p90: number | null };
  };
  /** Ratings 1–5 of resolved tickets: counts by star, their number and average. */
  csat: { counts: [number, number, number, number, number]; count: number; average: number | null };
}

const OUTCOME_FIELD: Record<Outcome, keyof Figures> = {
  answered: 'answered',
  clarified: 'clarified',
  notFound: 'notFound',
  declined: 'declined',
  handedOff: 'handedOff',
  emergency: 'emergencies',
  other: 'other',
};

const emptyFigures = (): Figures => ({
  conversations: 0,
  messages: 0,
  answered: 0,
  clarified: 0,
  notFound: 0,
  declined: 0,
  handedOff: 0,
  emergencies: 0,
  other: 0,
});

/** The p-th percentile of sorted numbers, nearest rank. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? null;
}

/** The bot's side: messages by day and outcome, conversations, helpful votes and hours. */
async function turnFigures(db: Database, period: Period) {
  const turns = () =>
    db
      .selectFrom('turn_outcomes')
      .where('day', '>=', period.from)
      .where('day', '<=', period.to)
      .where(channelWhere<'turn_outcomes'>(period.channel));
  const byOutcome = await turns()
    .select(['day', 'outcome', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['day', 'outcome'])
    .execute();
  const conversationsByDay = await turns()
    .select(['day', sql<number>`count(distinct conversation_id)`.as('n')])
    .groupBy('day')
    .execute();
  const whole = await turns()
    .select([
      sql<number>`count(distinct conversation_id)`.as('conversations'),
      sql<number>`coalesce(sum(case when helpful = 1 then 1 else 0 end), 0)`.as('helpful'),
      sql<number>`coalesce(sum(case when helpful = 0 then 1 else 0 end), 0)`.as('notHelpful'),
    ])
    .executeTakeFirstOrThrow();
  const byHour = await turns()
    .select(['hour', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('hour')
    .execute();
  return { byOutcome, conversationsByDay, whole, byHour };
}

/** Each day of the period (empty days included) and the totals, from the rows counted by day. */
function dayTable(period: Period, figures: Awaited<ReturnType<typeof turnFigures>>) {
  const days = new Map(daysOf(period.from, period.to).map((day) => [day, { day, ...emptyFigures() }]));
  const totals = emptyFigures();
  for (const r of figures.byOutcome) {
    const d = days.get(r.day);
    const field = OUTCOME_FIELD[r.outcome as Outcome] ?? 'other';
    const n = Number(r.n);
    if (d) {
      d[field] += n;
      d.messages += n;
    }
    totals[field] += n;
    totals.messages += n;
  }
  for (const r of figures.conversationsByDay) {
    const d = days.get(r.day);
    if (d) d.conversations = Number(r.n);
  }
  totals.conversations = Number(figures.whole.conversations);
  return { days: [...days.values()], totals };
}

/** The desk's side: tickets opened in the period, how long a live one waited, and their ratings. */
async function ticketFigures(
  db: Database,
  period: Period,
  timeZone: string,
): Promise<Pick<InsightStats, 'handoff' | 'csat'>> {
  const start = startOfDay(period.from, timeZone).toISOString();
  const end = startOfDay(addDays(period.to, 1), timeZone).toISOString();
  const tickets = await db
    .selectFrom('tickets')
    .select(['reason', 'mode', 'created_at', 'claimed_at', 'rating'])
    .where('created_at', '>=', start)
    .where('created_at', '<', end)
    .where(channelWhere<'tickets'>(period.channel))
    .execute();
  const waits = tickets
    .filter((t) => t.mode === 'live' && t.claimed_at)
    .map((t) => (Date.parse(t.claimed_at ?? '') - Date.parse(t.created_at)) / 1000)
    .filter((s) => Number.isFinite(s))
    .sort((a, b) => a - b);
  const counts: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  const ratings = tickets.map((t) => t.rating).filter((r): r is number => r !== null && r >= 1 && r <= 5);
  for (const r of ratings) counts[r - 1] = (counts[r - 1] ?? 0) + 1;
  return {
    handoff: {
      tickets: tickets.length,
      urgent: tickets.filter((t) => t.reason === 'emergency' || t.reason === 'self_harm').length,
      claimed: tickets.filter((t) => t.claimed_at).length,
      waitSeconds: { median: percentile(waits, 0.5), p90: percentile(waits, 0.9) },
    },
    csat: {
      counts,
      count: ratings.length,
      average: ratings.length ? ratings.reduce((s, x) => s + x, 0) / ratings.length : null,
    },
  };
}

/** The supervisor's dashboard for a period: what citizens asked, what came of it, and the desk's work. */
export async function insightStats(db: Database, period: Period, timeZone: string): Promise<InsightStats> {
  const figures = await turnFigures(db, period);
  const { days, totals } = dayTable(period, figures);
  const hours = new Array<number>(24).fill(0);
  for (const r of figures.byHour) hours[r.hour] = Number(r.n);
  const questions = totals.messages - totals.other;
  const share = (n: number): number => (questions === 0 ? 0 : n / questions);
  return {
    from: period.from,
    to: period.to,
    channel: period.channel,
    totals: {
      ...totals,
      questions,
      helpful: Number(figures.whole.helpful),
      notHelpful: Number(figures.whole.notHelpful),
    },
    shares: {
      answered: share(totals.answered),
      clarified: share(totals.clarified),
      notFound: share(totals.notFound),
      declined: share(totals.declined),
      handedOff: share(totals.handedOff),
    },
    days,
    hours,
    ...(await ticketFigures(db, period, timeZone)),
  };
}

export type Cell = string | number | null | undefined;

/**
 * CSV for a spreadsheet: a byte-order mark (Excel reads UTF-8 then), quoted
 * cells where needed, and a leading apostrophe on a text cell that a
 * spreadsheet would take for a formula.
 */
export function toCsv(rows: Cell[][]): string {
  const cell = (v: Cell): string => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return String(Math.round(v * 10000) / 10000);
    const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return `\uFEFF${rows.map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

export const STATS_TABLES = ['days', 'hours', 'csat', 'handoff'] as const;
export type StatsTable = (typeof STATS_TABLES)[number];

const DAY_COLUMNS: Array<keyof DayFigures> = [
  'day',
  'conversations',
  'messages',
  'answered',
  'clarified',
  'notFound',
  'declined',
  'handedOff',
  'emergencies',
  'other',
];

/** One table of the figures as rows, the header first (CSV, and the tables behind the charts). */
export function statsRows(s: InsightStats, table: StatsTable): Cell[][] {
  switch (table) {
    case 'days':
      return [
        DAY_COLUMNS,
        ...s.days.map((d) => DAY_COLUMNS.map((c) => d[c])),
        DAY_COLUMNS.map((c) => (c === 'day' ? 'total' : s.totals[c])),
      ];
    case 'hours':
      return [['hour', 'messages'], ...s.hours.map((n, h) => [h, n])];
    case 'csat':
      return [['rating', 'tickets'], ...s.csat.counts.map((n, i) => [i + 1, n])];
    case 'handoff':
      return [
        ['tickets', 'urgent', 'claimed', 'waitMedianSeconds', 'waitP90Seconds'],
        [
          s.handoff.tickets,
          s.handoff.urgent,
          s.handoff.claimed,
          s.handoff.waitSeconds.median,
          s.handoff.waitSeconds.p90,
        ],
      ];
  }
}

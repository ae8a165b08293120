/**
 * The hotline's opening hours, as a schedule the province sets
 * (`HOTLINE_SCHEDULE`) and read in the hotline's own time zone, so a
 * server running in UTC still says "open" at 07:30 in Vinh.
 *
 * Format: clauses separated by ";", each "DAYS TIMES" where DAYS is an ISO
 * weekday or range (1 = Monday … 7 = Sunday, "1-5", "1-5,7") and TIMES is a
 * comma-separated list of "HH:MM-HH:MM". "always" means around the clock.
 *
 *   1-5 07:30-11:30,13:30-17:00; 6 07:30-11:30
 */
import { zonedParts } from '../../core/zonedTime';

export interface Interval {
  /** Minutes after midnight, start inclusive, end exclusive. */
  from: number;
  to: number;
}

/** Opening intervals per ISO weekday (index 1–7; index 0 unused). */
export type Schedule = Interval[][];

export class ScheduleError extends Error {}

function minutes(hhmm: string, clause: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  const h = Number(m?.[1]);
  const min = Number(m?.[2]);
  if (!m || h > 24 || min > 59 || (h === 24 && min > 0))
    throw new ScheduleError(`"${hhmm}" in "${clause}" is not a time (HH:MM)`);
  return h * 60 + min;
}

function days(spec: string, clause: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^([1-7])(?:-([1-7]))?$/.exec(part.trim());
    if (!m) throw new ScheduleError(`"${part}" in "${clause}" is not a weekday 1–7 or a range like 1-5`);
    const a = Number(m[1]);
    const b = Number(m[2] ?? m[1]);
    if (b < a) throw new ScheduleError(`"${part}" in "${clause}" runs backwards`);
    for (let d = a; d <= b; d++) out.push(d);
  }
  return out;
}

/** Parse a schedule; throws ScheduleError naming the bad part. */
export function parseSchedule(text: string): Schedule {
  const schedule: Schedule = Array.from({ length: 8 }, () => []);
  if (text.trim().toLowerCase() === 'always') {
    for (let d = 1; d <= 7; d++) schedule[d] = [{ from: 0, to: 24 * 60 }];
    return schedule;
  }
  for (const raw of text.split(';')) {
    const clause = raw.trim();
    if (!clause) continue;
    const [daySpec, timeSpec, ...rest] = clause.split(/\s+/);
    if (!daySpec || !timeSpec || rest.length > 0)
      throw new ScheduleError(`"${clause}" should be DAYS TIMES, e.g. "1-5 07:30-17:00"`);
    const intervals = timeSpec.split(',').map((range) => {
      const [a, b] = range.split('-');
      if (a === undefined || b === undefined)
        throw new ScheduleError(`"${range}" in "${clause}" should be HH:MM-HH:MM`);
      const interval = { from: minutes(a, clause), to: minutes(b, clause) };
      if (interval.to <= interval.from)
        throw new ScheduleError(`"${range}" in "${clause}" ends before it starts`);
      return interval;
    });
    for (const d of days(daySpec, clause)) schedule[d]?.push(...intervals);
  }
  if (schedule.every((d) => d.length === 0)) throw new ScheduleError('the schedule has no opening hours');
  return schedule;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

const WEEKDAY_TIME: Intl.DateTimeFormatOptions = {
  weekday: 'short',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
};

/** The weekday, minutes after midnight and calendar day of `at` in `timeZone`. */
export function localTime(at: Date, timeZone: string): { weekday: number; minute: number; ymd: string } {
  const get = zonedParts(at, timeZone, WEEKDAY_TIME);
  return {
    weekday: WEEKDAYS[get('weekday')] ?? 1,
    minute: Number(get('hour')) * 60 + Number(get('minute')),
    ymd: `${get('year')}${get('month')}${get('day')}`,
  };
}

export class HotlineHours {
  constructor(
    readonly schedule: Schedule,
    readonly timeZone = 'Asia/Ho_Chi_Minh',
  ) {
    // Throws RangeError on an unknown zone, at start rather than at the first hand-off.
    new Intl.DateTimeFormat('en-US', { timeZone });
  }

  static parse(text: string, timeZone?: string): HotlineHours {
    return new HotlineHours(parseSchedule(text), timeZone);
  }

  isOpen(at: Date = new Date()): boolean {
    const { weekday, minute } = localTime(at, this.timeZone);
    return (this.schedule[weekday] ?? []).some((i) => minute >= i.from && minute < i.to);
  }

  /** The calendar day in the hotline's zone, YYYYMMDD (used in ticket codes). */
  day(at: Date = new Date()): string {
    return localTime(at, this.timeZone).ymd;
  }

  /** The hours in words: "thứ Hai–thứ Sáu 07:30–11:30, 13:30–17:00". */
  describe(language: 'vi' | 'en'): string {
    const names =
      language === 'vi'
        ? ['', 'thứ Hai', 'thứ Ba', 'thứ Tư', 'thứ Năm', 'thứ Sáu', 'thứ Bảy', 'Chủ nhật']
        : ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
    const hhmm = (m: number): string =>
      `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    const key = (d: number): string =>
      (this.schedule[d] ?? []).map((i) => `${hhmm(i.from)}–${hhmm(i.to)}`).join(', ');
    const groups: Array<{ from: number; to: number; times: string }> = [];
    for (let d = 1; d <= 7; d++) {
      const times = key(d);
      if (!times) continue;
      const last = groups[groups.length - 1];
      if (last && last.to === d - 1 && last.times === times) last.to = d;
      else groups.push({ from: d, to: d, times });
    }
    if (
      groups.length === 1 &&
      groups[0]?.from === 1 &&
      groups[0].to === 7 &&
      groups[0].times === '00:00–24:00'
    )
      return language === 'vi' ? '24/7, tất cả các ngày' : 'around the clock, every day';
    return groups
      .map((g) => `${names[g.from]}${g.to > g.from ? `–${names[g.to]}` : ''} ${g.times}`)
      .join('; ');
  }
}

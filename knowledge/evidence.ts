/**
 * How well the knowledge base's facts are sourced: which key facts of each
 * procedure no evidence item names, and which evidence was read too long
 * ago. `kb:check` prints the report; it fails on it only with `--strict`.
 */
import { keyFacts, type KeyFact } from './fields';
import type { Entry, EvidenceFact } from './schema';

/** The facts a wrong answer costs a citizen a trip for (`keyFact` in knowledge/fields.ts): each needs a page that says it. */
export { keyFacts, type KeyFact };

/** The default of `KB_EVIDENCE_MAX_AGE_DAYS`: evidence read more than a year ago is stale. */
export const DEFAULT_MAX_AGE_DAYS = 365;

export interface StaleEvidence {
  fact: EvidenceFact;
  url: string;
  checked: string;
  /** Whole days between `checked` and today. */
  ageDays: number;
}

export interface EntryEvidence {
  id: string;
  /** Key facts the entry states that no evidence item names. */
  unsourced: KeyFact[];
  stale: StaleEvidence[];
}

export interface EvidenceReport {
  /** Only the entries with something to say: an unsourced key fact or stale evidence. */
  entries: EntryEvidence[];
  /** Key facts present across procedures. */
  total: number;
  /** Of those, the ones at least one evidence item names. */
  sourced: number;
  /** The same two counts per key fact. */
  byFact: Record<KeyFact, { total: number; sourced: number }>;
  /** Key facts deliberately left unstated: the entry points to an official page or 1022 instead. */
  pointers: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days from the ISO date `checked` to `today` (UTC dates, never negative). */
export function ageInDays(checked: string, today: Date): number {
  const then = Date.parse(`${checked}T00:00:00Z`);
  const now = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Math.max(0, Math.floor((now - then) / DAY_MS));
}

/**
 * Read `KB_EVIDENCE_MAX_AGE_DAYS`; undefined or empty gives the default, and
 * anything but a non-negative whole number is an error worth stopping for.
 */
export function maxAgeFromEnv(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_MAX_AGE_DAYS;
  if (!/^\d+$/.test(value.trim())) {
    throw new Error(`KB_EVIDENCE_MAX_AGE_DAYS must be a whole number of days, not "${value}"`);
  }
  return Number(value.trim());
}

/** Whether a procedure states the key fact (a non-empty text or list). */
function present(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return typeof value === 'string' && value.trim() !== '';
}

/**
 * The evidence report. Key facts are counted on procedures, the only kind
 * that holds them all; stale evidence is listed for every kind of entry.
 */
export function evidenceReport(
  entries: readonly Entry[],
  options: { today: Date; maxAgeDays: number },
): EvidenceReport {
  const byFact = Object.fromEntries(keyFacts.map((f) => [f, { total: 0, sourced: 0 }])) as Record<
    KeyFact,
    { total: number; sourced: number }
  >;
  const listed: EntryEvidence[] = [];
  let pointers = 0;
  for (const entry of entries) {
    const evidence = entry.evidence ?? [];
    const named = new Set(evidence.map((e) => e.fact));
    const unsourced: KeyFact[] = [];
    if (entry.kind === 'procedure') {
      const unconfirmed = new Set<string>(entry.unconfirmed ?? []);
      for (const fact of keyFacts) {
        if (!present(entry[fact])) continue;
        if (unconfirmed.has(fact)) {
          pointers += 1;
          continue;
        }
        byFact[fact].total += 1;
        if (named.has(fact)) byFact[fact].sourced += 1;
        else unsourced.push(fact);
      }
    }
    const stale: StaleEvidence[] = [];
    for (const e of evidence) {
      const ageDays = ageInDays(e.checked, options.today);
      if (ageDays > options.maxAgeDays) stale.push({ fact: e.fact, url: e.url, checked: e.checked, ageDays });
    }
    if (unsourced.length > 0 || stale.length > 0) listed.push({ id: entry.id, unsourced, stale });
  }
  const counts = Object.values(byFact);
  return {
    entries: listed,
    total: counts.reduce((n, c) => n + c.total, 0),
    sourced: counts.reduce((n, c) => n + c.sourced, 0),
    byFact,
    pointers,
  };
}

const percent = (n: number, of: number): string => (of === 0 ? '–' : `${Math.round((100 * n) / of)}%`);

/** The report as lines for the terminal; the last is `sourced: N/M facts`. */
export function formatEvidenceReport(report: EvidenceReport, maxAgeDays: number): string[] {
  const lines: string[] = [];
  for (const e of report.entries) {
    if (e.unsourced.length > 0) lines.push(`${e.id}: no evidence for ${e.unsourced.join(', ')}`);
    for (const s of e.stale) {
      lines.push(
        `${e.id}: evidence for ${s.fact} checked ${s.checked} (${s.ageDays} days ago, more than ${maxAgeDays}): ${s.url}`,
      );
    }
  }
  const shares = keyFacts
    .map((f) => {
      const c = report.byFact[f];
      return `${f} ${c.sourced}/${c.total} (${percent(c.sourced, c.total)})`;
    })
    .join(', ');
  lines.push(`per field: ${shares}`);
  if (report.pointers > 0) {
    lines.push(`not stated (an official page or 1022 instead): ${report.pointers} facts`);
  }
  lines.push(`sourced: ${report.sourced}/${report.total} facts`);
  return lines;
}

/**
 * The evidence report of `kb:check`: key facts counted per procedure, a fact
 * sourced when one evidence item names it, and evidence older than the
 * allowed age listed as stale.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_MAX_AGE_DAYS,
  ageInDays,
  evidenceReport,
  formatEvidenceReport,
  maxAgeFromEnv,
} from '../../../knowledge/evidence';
import { KnowledgeError, formatProblem, loadKnowledgeBase } from '../../../knowledge/loader';
import type { Entry, Evidence, EvidenceFact } from '../../../knowledge/schema';
import { FIXTURE_SEEDS } from '../../helpers';

const kb = loadKnowledgeBase(FIXTURE_SEEDS);
const procedures = kb.entries.filter((e) => e.kind === 'procedure');
const others = kb.entries.filter((e) => e.kind !== 'procedure');
const today = new Date('2026-12-04T10:00:00Z');

const item = (fact: EvidenceFact, checked = '2026-12-01'): Evidence => ({
  fact,
  url: 'https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1',
  title: 'Thủ tục',
  quote: 'Lệ phí: không.',
  checked,
});

const withEvidence = (entry: Entry, evidence: Evidence[]): Entry => ({ ...entry, evidence });

describe('the evidence report', () => {
  it('counts the five key facts of every procedure, none sourced without evidence', () => {
    const report = evidenceReport(kb.entries, { today, maxAgeDays: 365 });
    expect(report.total).toBe(5 * procedures.length);
    expect(report.sourced).toBe(0);
    expect(report.byFact.fees).toEqual({ total: procedures.length, sourced: 0 });
    expect(report.entries.map((e) => e.id).sort()).toEqual(procedures.map((p) => p.id).sort());
    expect(report.entries[0]?.unsourced).toEqual([
      'fees',
      'processing_time',
      'where',
      'documents',
      'legal_basis',
    ]);
  });

  it('counts a fact as sourced when at least one item names it, whatever else the items name', () => {
    const [first, ...rest] = procedures as [Entry, ...Entry[]];
    const entries = [
      withEvidence(first, [item('fees'), item('fees'), item('where'), item('summary'), item('steps')]),
      ...rest,
      ...others,
    ];
    const report = evidenceReport(entries, { today, maxAgeDays: 365 });
    expect(report.sourced).toBe(2);
    expect(report.byFact.fees.sourced).toBe(1);
    expect(report.byFact.where.sourced).toBe(1);
    expect(report.byFact.documents.sourced).toBe(0);
    expect(report.entries.find((e) => e.id === first.id)?.unsourced).toEqual([
      'processing_time',
      'documents',
      'legal_basis',
    ]);
  });

  it('drops a fully sourced procedure from the list and ends with "sourced: N/M facts"', () => {
    const [first, ...rest] = procedures as [Entry, ...Entry[]];
    const all = (['fees', 'processing_time', 'where', 'documents', 'legal_basis'] as const).map((f) =>
      item(f),
    );
    const report = evidenceReport([withEvidence(first, all), ...rest], { today, maxAgeDays: 365 });
    expect(report.entries.map((e) => e.id)).not.toContain(first.id);
    const lines = formatEvidenceReport(report, 365);
    expect(lines.at(-1)).toBe(`sourced: 5/${5 * procedures.length} facts`);
    expect(lines.at(-2)).toMatch(/^per field: fees 1\/\d+ \(\d+%\), processing_time 1\//);
    expect(lines).toContain(
      `${rest[0]?.id}: no evidence for fees, processing_time, where, documents, legal_basis`,
    );
  });

  it('counts a fact left unconfirmed as a pointer, neither sourced nor missing', () => {
    const [first, ...rest] = procedures as [Entry, ...Entry[]];
    const pointing = {
      ...first,
      fees: 'Xem mức lệ phí tại https://dichvucong.gov.vn hoặc hỏi 1022.',
      unconfirmed: ['fees'],
    } as Entry;
    const report = evidenceReport([pointing, ...rest], { today, maxAgeDays: 365 });
    expect(report.total).toBe(5 * procedures.length - 1);
    expect(report.pointers).toBe(1);
    expect(report.byFact.fees.total).toBe(procedures.length - 1);
    expect(report.entries.find((e) => e.id === first.id)?.unsourced).not.toContain('fees');
    expect(formatEvidenceReport(report, 365)).toContain(
      'not stated (an official page or 1022 instead): 1 facts',
    );
  });

  it('does not count key facts on entries other than procedures', () => {
    const report = evidenceReport(others, { today, maxAgeDays: 365 });
    expect(report.total).toBe(0);
    expect(report.entries).toEqual([]);
    expect(formatEvidenceReport(report, 365).at(-1)).toBe('sourced: 0/0 facts');
  });
});

describe('the evidence age check', () => {
  it('measures whole days between the check date and today', () => {
    expect(ageInDays('2026-12-04', today)).toBe(0);
    expect(ageInDays('2025-12-04', today)).toBe(365);
    expect(ageInDays('2025-12-03', today)).toBe(366);
    expect(ageInDays('2027-01-01', today)).toBe(0);
  });

  it('lists evidence older than the allowed age, on any kind of entry, and keeps it sourced', () => {
    const [first] = procedures as [Entry];
    const [other] = others as [Entry];
    const entries = [
      withEvidence(first, [item('fees', '2025-12-04'), item('where', '2025-12-03')]),
      withEvidence(other, [item('summary', '2024-01-01')]),
    ];
    const report = evidenceReport(entries, { today, maxAgeDays: 365 });
    const stale = report.entries.flatMap((e) => e.stale.map((s) => `${e.id}:${s.fact}:${s.ageDays}`));
    expect(stale).toEqual([`${first.id}:where:366`, `${other.id}:summary:${ageInDays('2024-01-01', today)}`]);
    expect(report.byFact.where.sourced).toBe(1);
    expect(evidenceReport(entries, { today, maxAgeDays: 30 }).entries.flatMap((e) => e.stale)).toHaveLength(
      3,
    );
    const lines = formatEvidenceReport(report, 365);
    expect(lines).toContain(
      `${first.id}: evidence for where checked 2025-12-03 (366 days ago, more than 365): ${item('where').url}`,
    );
  });

  it('reads KB_EVIDENCE_MAX_AGE_DAYS, defaulting to 365 and refusing what is not a whole number', () => {
    expect(maxAgeFromEnv(undefined)).toBe(DEFAULT_MAX_AGE_DAYS);
    expect(DEFAULT_MAX_AGE_DAYS).toBe(365);
    expect(maxAgeFromEnv('')).toBe(365);
    expect(maxAgeFromEnv(' 90 ')).toBe(90);
    expect(() => maxAgeFromEnv('a year')).toThrow(/KB_EVIDENCE_MAX_AGE_DAYS/);
    expect(() => maxAgeFromEnv('-1')).toThrow(/whole number/);
  });
});

describe('evidence in the knowledge files', () => {
  it('names the file and field of a bad evidence item', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seeds-'));
    cpSync(FIXTURE_SEEDS, dir, { recursive: true });
    const file = join(dir, 'procedures', 'dang-ky-ket-hon.yaml');
    const evidence = [
      'evidence:',
      '  - fact: price',
      '    url: https://example.gov.vn/a',
      '    title: Trang',
      `    quote: "${'x'.repeat(301)}"`,
      '    checked: 2026-12-04',
      '  - fact: fees',
      '    url: not a url',
      '    title: Trang',
      '    quote: Miễn lệ phí.',
      '    checked: 2026-13-40',
      '    note: extra',
      '',
    ].join('\n');
    writeFileSync(file, readFileSync(file, 'utf8') + evidence);
    let problems: string[] = [];
    try {
      loadKnowledgeBase(dir, { relativeTo: dir });
    } catch (e) {
      if (!(e instanceof KnowledgeError)) throw e;
      problems = e.problems.map(formatProblem);
    }
    const at = 'procedures/dang-ky-ket-hon.yaml: evidence';
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${at}\\.0\\.fact: `)),
        `${at}.0.quote: must be a short quote (at most 300 characters)`,
        `${at}.1.url: must be an http(s) URL`,
        expect.stringMatching(new RegExp(`^${at}\\.1\\.checked: `)),
        expect.stringMatching(new RegExp(`^${at}\\.1: .*note`)),
      ]),
    );
  });

  it('rejects a fact listed as unconfirmed that states a value instead of pointing to a page or 1022', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seeds-'));
    cpSync(FIXTURE_SEEDS, dir, { recursive: true });
    const file = join(dir, 'procedures', 'dang-ky-ket-hon.yaml');
    writeFileSync(file, readFileSync(file, 'utf8') + 'unconfirmed: [fees]\n');
    let problems: string[] = [];
    try {
      loadKnowledgeBase(dir, { relativeTo: dir });
    } catch (e) {
      if (!(e instanceof KnowledgeError)) throw e;
      problems = e.problems.map(formatProblem);
    }
    expect(problems).toEqual([
      expect.stringMatching(
        /^procedures\/dang-ky-ket-hon\.yaml: fees: listed as unconfirmed, so it must point/,
      ),
    ]);
  });

  it('accepts a well-formed evidence list', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seeds-'));
    cpSync(FIXTURE_SEEDS, dir, { recursive: true });
    const file = join(dir, 'procedures', 'dang-ky-ket-hon.yaml');
    const evidence =
      'evidence:\n  - fact: fees\n    url: https://example.gov.vn/a\n    title: Trang\n    quote: Miễn lệ phí.\n    checked: 2026-12-04\n';
    writeFileSync(file, readFileSync(file, 'utf8') + evidence);
    const loaded = loadKnowledgeBase(dir, { relativeTo: dir });
    const entry = loaded.entries.find((e) => e.id === 'dang-ky-ket-hon');
    expect(entry?.evidence?.[0]?.fact).toBe('fees');
    expect(evidenceReport(loaded.entries, { today, maxAgeDays: 365 }).byFact.fees.sourced).toBe(1);
  });
});

/**
 * The project's real knowledge base: every procedure traceable to its law,
 * its official page and a check date; the coverage map consistent.
 */
import { readFileSync } from 'node:fs';
import { COVERAGE_LIST, realKb } from '../../helpers';

const kb = realKb();

/** How many procedures the coverage list holds (section A). */
const PROCEDURE_TOPICS = 125;

/** Topic ids listed in knowledge-coverage.md: "A1".."A{N}", "B1".."B12", "C1".."C14" and "D". */
function coverageTopics(): string[] {
  const md = readFileSync(COVERAGE_LIST, 'utf8');
  const topics: string[] = [];
  let section = '';
  for (const line of md.split('\n')) {
    const heading = /^## ([A-D])\./.exec(line);
    if (heading) section = heading[1] as string;
    const item = /^(\d+)\. /.exec(line);
    if (item && section && section !== 'D') topics.push(`${section}${item[1]}`);
  }
  if (md.includes('## D.')) topics.push('D');
  return topics;
}

/** The ids the coverage list must yield: A1–A{N} (the procedures), B1–B12, C1–C14 and D. */
function expectedTopics(): string[] {
  const range = (prefix: string, n: number): string[] =>
    Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
  return [...range('A', PROCEDURE_TOPICS), ...range('B', 12), ...range('C', 14), 'D'];
}

describe('the coverage list (knowledge-coverage.md)', () => {
  it('reads as topics A1–A{N}, B1–B12, C1–C14 and D', () => {
    expect(coverageTopics()).toEqual(expectedTopics());
  });

  it('maps every topic to existing entries that say they cover it', () => {
    const gaps: string[] = [];
    for (const topic of coverageTopics()) {
      const ids = kb.coverage.topics[topic] ?? [];
      if (ids.length === 0) gaps.push(`${topic}: no entry in seeds/coverage.yaml`);
      for (const id of ids) {
        const entry = kb.entries.find((e) => e.id === id);
        if (!entry) gaps.push(`${topic}: ${id} does not exist`);
        else if (!(entry.topics ?? []).includes(topic)) gaps.push(`${topic}: ${id} does not list it`);
      }
    }
    expect(gaps).toEqual([]);
  });
});

describe('the knowledge base', () => {
  it('gives at least 20 procedures an English title and summary', () => {
    const english = kb.entries.filter((e) => e.kind === 'procedure' && e.title_en && e.summary_en);
    expect(english.length).toBeGreaterThanOrEqual(20);
  });

  it('has at least 14 lessons', () => {
    expect(kb.entries.filter((e) => e.kind === 'lesson').length).toBeGreaterThanOrEqual(14);
  });

  it('says in each entry which topics it covers, consistently with the map', () => {
    for (const [topic, ids] of Object.entries(kb.coverage.topics)) {
      for (const id of ids) {
        const entry = kb.entries.find((e) => e.id === id);
        expect({ id, topics: entry?.topics ?? [] }).toEqual({ id, topics: expect.arrayContaining([topic]) });
      }
    }
  });

  it('gives every procedure its codes, legal basis, official sources and a check date', () => {
    const procedures = kb.entries.filter((e) => e.kind === 'procedure');
    expect(procedures.length).toBeGreaterThan(0);
    for (const p of procedures) {
      expect({ id: p.id, codes: p.codes.length > 0 || Boolean(p.codes_note) }).toEqual({
        id: p.id,
        codes: true,
      });
      expect(p.legal_basis.length).toBeGreaterThan(0);
      expect(p.sources.length).toBeGreaterThan(0);
      expect(p.checked >= '2026-01-01').toBe(true);
    }
  });

  it('points procedure sources at the national portal page of one of their codes', () => {
    for (const p of kb.entries) {
      if (p.kind !== 'procedure') continue;
      const urls = p.sources.map((s) => s.url).join(' ');
      const codes = p.codes.map((c) => c.code);
      if (codes.length === 0) continue; // codes_note says why; the portal's search is the source
      expect({ id: p.id, linked: codes.some((c) => urls.includes(`ma_thu_tuc=${c}`)) }).toEqual({
        id: p.id,
        linked: true,
      });
    }
  });

  it('lists only topics of the coverage list', () => {
    const topics = new Set(coverageTopics());
    expect(Object.keys(kb.coverage.topics).filter((t) => !topics.has(t))).toEqual([]);
  });

  it('does not speak of the district level that no longer exists as a place to go', () => {
    const offenders: string[] = [];
    for (const e of kb.entries) {
      if (e.kind !== 'procedure') continue;
      for (const w of e.where)
        if (/cấp huyện|UBND huyện|Ủy ban nhân dân huyện/i.test(w)) offenders.push(`${e.id}: ${w}`);
    }
    expect(offenders).toEqual([]);
  });

  it('gives every lesson steps, a check question with its answer, and where to learn more', () => {
    for (const l of kb.entries.filter((e) => e.kind === 'lesson')) {
      expect(l.steps.length).toBeGreaterThanOrEqual(3);
      expect(l.check.answer.length).toBeGreaterThan(0);
      expect(l.learn_more.length).toBeGreaterThan(0);
    }
  });
});

describe('the example questions', () => {
  it('name only entries the knowledge base holds (a misspelt id would silently teach "not covered")', () => {
    expect(kb.notHeld).toEqual([]);
  });
});

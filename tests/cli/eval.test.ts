import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { grade, type EvalItem } from '../../bot/cli/eval';
import type { AskLine } from '../../bot/cli/ask';
import { ROOT, SHARED } from '../helpers';

const line = (over: Partial<AskLine>): AskLine => ({
  id: 'x',
  text: '',
  entry: null,
  candidates: [],
  handoff: false,
  declined: false,
  confidence: 0,
  ...over,
});
const item = (over: Partial<EvalItem>): EvalItem => ({
  id: 'x',
  question: 'q',
  category: 'procedure',
  style: 'diacritics',
  expect_all: [],
  ...over,
});

describe('the grading rule', () => {
  it('needs one alternative of every group, ignoring case and tone marks', () => {
    const i = item({ expect_all: [['60 ngày'], ['cấp xã', 'UBND xã']] });
    expect(grade(i, line({ text: 'Trong 60 NGAY, tai UBND xa' })).pass).toBe(true);
    expect(grade(i, line({ text: 'Trong 60 ngày' })).missing).toEqual([['cấp xã', 'UBND xã']]);
  });

  it('needs a hand-off for hand-off items and a decline with no entry for out-of-scope ones', () => {
    expect(grade(item({ category: 'handoff', expect_all: [['1022']] }), line({ text: '1022' })).pass).toBe(
      false,
    );
    expect(grade(item({ category: 'out_of_scope' }), line({ declined: true })).pass).toBe(true);
    const withEntry = line({ declined: true, entry: { id: 'a', title: 'A', codes: [] } });
    expect(grade(item({ category: 'out_of_scope' }), withEntry).pass).toBe(false);
    expect(grade(item({ category: 'smalltalk' }), line({ handoff: true })).pass).toBe(false);
  });
});

describe('npm run eval on the development set', () => {
  it('meets the targets: 85% overall and 80% in every style, through ask --jsonl', () => {
    // The plan's documents are ingested as passages, as an operator would.
    const passages = mkdtempSync(join(tmpdir(), 'passages-'));
    const docs = readdirSync(join(SHARED, 'seeds')).map((f) => join(SHARED, 'seeds', f));
    const ingest = spawnSync(process.execPath, [
      join(ROOT, 'dist/knowledge/cli/ingest.js'),
      ...docs,
      '--out',
      passages,
    ]);
    expect(ingest.status).toBe(0);
    const out = join(passages, 'eval.json');
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, 'dist/bot/cli/eval.js'),
        join(SHARED, 'eval/dev.jsonl'),
        '--json',
        out,
        '--min-overall',
        '0.85',
        '--min-style',
        '0.8',
      ],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, KB_PASSAGES_DIR: passages } },
    );
    const report = JSON.parse(readFileSync(out, 'utf8')) as { passed: number; total: number };
    expect({ status: r.status, stderr: r.stderr, passed: report.passed }).toEqual({
      status: 0,
      stderr: '',
      passed: expect.any(Number),
    });
    expect(report.total).toBe(150);
  });
});

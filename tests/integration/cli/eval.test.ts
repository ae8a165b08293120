import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { grade, type EvalItem } from '../../../bot/cli/eval';
import type { AskLine } from '../../../bot/cli/ask';
import { DEV_SET, DOCUMENTS, FIXTURE_SEEDS, ROOT } from '../../helpers';

const line = (over: Partial<AskLine>): AskLine => ({
  id: 'x',
  kind: 'answer',
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

describe('npm run eval', () => {
  it('runs a set through ask --jsonl and reports rates by category and style', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-'));
    const set = join(dir, 'set.jsonl');
    const items: EvalItem[] = [
      item({ id: 'a', question: 'đăng ký kết hôn ở đâu', expect_all: [['cấp xã']] }),
      item({ id: 'b', question: 'gia vang hom nay', category: 'out_of_scope', style: 'no_diacritics' }),
      item({ id: 'c', question: 'lệ phí làm căn cước', expect_all: [['không có chữ này']] }),
    ];
    writeFileSync(set, items.map((i) => JSON.stringify(i)).join('\n'));
    const out = join(dir, 'eval.json');
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'dist/bot/cli/eval.js'), set, '--json', out, '--min-overall', '0.9'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, KB_SEEDS_DIR: FIXTURE_SEEDS, KB_PASSAGES_DIR: join(dir, 'none') },
      },
    );
    expect(r.stdout).toContain('overall: 2/3 = 66.7%');
    expect(r.stderr).toContain('eval: overall below 0.9');
    expect(r.status).toBe(1);
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      byStyle: Record<string, { pass: number; total: number }>;
    };
    expect(report.byStyle).toEqual({
      diacritics: { pass: 1, total: 2 },
      no_diacritics: { pass: 1, total: 1 },
    });
  });
});

describe('the evaluation gate', () => {
  const gate = (flags: string[]): { status: number | null; stderr: string } => {
    const dir = mkdtempSync(join(tmpdir(), 'gate-'));
    const set = join(dir, 'set.jsonl');
    const items: EvalItem[] = [
      item({ id: 'a', question: 'đăng ký kết hôn ở đâu', expect_all: [['cấp xã']] }),
      item({ id: 'c', question: 'lệ phí làm căn cước', expect_all: [['không có chữ này']] }),
    ];
    writeFileSync(set, items.map((i) => JSON.stringify(i)).join('\n'));
    const env = { ...process.env, KB_SEEDS_DIR: FIXTURE_SEEDS, KB_PASSAGES_DIR: join(dir, 'none') };
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/bot/cli/eval.js'), set, ...flags], {
      cwd: ROOT,
      encoding: 'utf8',
      env,
    });
    return { status: r.status, stderr: r.stderr };
  };

  it('misses a style below --min-style, unless --style-slack more passes would lift it there', () => {
    // One of the two diacritics questions passes: 50%, and 100% with one question of slack.
    const strict = gate(['--min-style', '0.7']);
    expect(strict.stderr).toContain('eval: style diacritics below 0.7');
    expect(strict.status).toBe(1);
    const slack = gate(['--min-style', '0.7', '--style-slack', '1']);
    expect(slack.stderr).not.toContain('below');
    expect(slack.status).toBe(0);
  });

  it(
    'passes the development set on the real knowledge base and ingested documents (≥ 85% overall, ≥ 70% per style with one question of slack)',
    () => {
      const passages = mkdtempSync(join(tmpdir(), 'passages-'));
      const documents = readdirSync(DOCUMENTS)
        .filter((f) => f.endsWith('.txt'))
        .map((f) => join(DOCUMENTS, f));
      expect(documents.length).toBeGreaterThan(0);
      const ingest = spawnSync(
        process.execPath,
        [join(ROOT, 'dist/knowledge/cli/ingest.js'), ...documents, '--out', passages],
        { cwd: ROOT, encoding: 'utf8' },
      );
      expect({ status: ingest.status, stderr: ingest.stderr }).toEqual({ status: 0, stderr: '' });
      expect(readdirSync(passages).length).toBe(documents.length);

      const r = spawnSync(
        process.execPath,
        [
          join(ROOT, 'dist/bot/cli/eval.js'),
          DEV_SET,
          '--min-overall',
          '0.85',
          '--min-style',
          '0.7',
          '--style-slack',
          '1',
        ],
        {
          cwd: ROOT,
          encoding: 'utf8',
          env: { ...process.env, KB_SEEDS_DIR: join(ROOT, 'seeds'), KB_PASSAGES_DIR: passages },
        },
      );
      // On failure, show the rates so the test output says which gate was missed.
      expect({ status: r.status, report: r.status === 0 ? '' : `${r.stdout}\n${r.stderr}` }).toEqual({
        status: 0,
        report: '',
      });
      expect(r.stdout).toMatch(/overall: \d+\/\d+ = \d+\.\d%/);
    },
    10 * 60_000,
  );
});

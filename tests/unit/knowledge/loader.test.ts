import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KnowledgeError, formatProblem, loadKnowledgeBase } from '../../../knowledge/loader';
import { FIXTURE_SEEDS } from '../../helpers';

/** A writable copy of the fixture seeds. */
function copySeeds(): string {
  const dir = mkdtempSync(join(tmpdir(), 'seeds-'));
  cpSync(FIXTURE_SEEDS, dir, { recursive: true });
  return dir;
}

function problemsOf(dir: string): string[] {
  try {
    loadKnowledgeBase(dir, { relativeTo: dir });
  } catch (e) {
    if (e instanceof KnowledgeError) return e.problems.map(formatProblem);
    throw e;
  }
  return [];
}

const procedure = (dir: string): string => join(dir, 'procedures', 'dang-ky-ket-hon.yaml');

describe('loading the knowledge base', () => {
  it('loads every kind of entry from the fixture seeds', () => {
    const kb = loadKnowledgeBase(FIXTURE_SEEDS);
    expect(kb.entries.map((e) => e.kind).sort()).toEqual([
      'lesson',
      'procedure',
      'procedure',
      'procedure',
      'procedure',
      'service',
    ]);
    expect(kb.synonyms.rewrites.cccd).toBe('căn cước công dân');
    expect(kb.intents.fields.fees?.length).toBeGreaterThan(0);
  });

  it('reports a missing field, a bad code and a bad date as file: field path: message', () => {
    const dir = copySeeds();
    const text = readFileSync(procedure(dir), 'utf8')
      .replace(/^fees:.*\n/m, '')
      .replace("code: '1.000894'", "code: '1.894'")
      .replace("checked: '2026-11-22'", "checked: '2026-02-30x'");
    writeFileSync(procedure(dir), text);
    const problems = problemsOf(dir);
    expect(problems).toEqual(
      expect.arrayContaining([
        'procedures/dang-ky-ket-hon.yaml: fees: is required',
        'procedures/dang-ky-ket-hon.yaml: codes.0.code: must look like 1.001193',
        'procedures/dang-ky-ket-hon.yaml: checked: must be a date written YYYY-MM-DD',
      ]),
    );
  });

  it('reports broken YAML with its line', () => {
    const dir = copySeeds();
    writeFileSync(procedure(dir), 'kind: procedure\nid: dang-ky-ket-hon\ntitle: [unclosed\n');
    const [problem] = problemsOf(dir);
    expect(problem).toMatch(/^procedures\/dang-ky-ket-hon\.yaml: line \d+: invalid YAML: /);
  });

  it('rejects an id that differs from the file name, a duplicate id and a coverage link to nothing', () => {
    const dir = copySeeds();
    writeFileSync(join(dir, 'procedures', 'copy.yaml'), readFileSync(procedure(dir), 'utf8'));
    writeFileSync(join(dir, 'coverage.yaml'), 'kind: coverage\ntopics:\n  A2: [khong-co]\n');
    const problems = problemsOf(dir);
    expect(problems).toEqual(
      expect.arrayContaining([
        'procedures/copy.yaml: id: must equal the file name "copy"',
        expect.stringMatching(
          /: id: "dang-ky-ket-hon" is already used by procedures\/(copy|dang-ky-ket-hon)\.yaml$/,
        ),
        'coverage.yaml: topics.A2: no entry has id "khong-co"',
      ]),
    );
  });

  it('rejects unknown keys, so a misspelt field is not silently ignored', () => {
    const dir = copySeeds();
    writeFileSync(procedure(dir), readFileSync(procedure(dir), 'utf8') + 'fee: 10.000 đồng\n');
    expect(problemsOf(dir).join('\n')).toMatch(
      /procedures\/dang-ky-ket-hon\.yaml: : Unrecognized key: "fee"|fee/,
    );
  });
});

/**
 * `npm run kb:ingest` as the compiled CLI: the plan documents in the
 * repository become passages that the loader and the search use.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestText } from '../../../knowledge/ingest';
import { loadKnowledgeBase } from '../../../knowledge/loader';
import { KnowledgeIndex } from '../../../knowledge/search';
import { DOCUMENTS, FIXTURE_SEEDS, ROOT } from '../../helpers';

const docFiles = (): string[] =>
  readdirSync(DOCUMENTS)
    .filter((f) => f.endsWith('.txt'))
    .map((f) => join(DOCUMENTS, f));

describe('npm run kb:ingest', () => {
  const all = docFiles().flatMap((f) => ingestText(f, readFileSync(f, 'utf8')));

  it('writes passages with npm run kb:ingest that the loader and search then use', () => {
    const out = mkdtempSync(join(tmpdir(), 'passages-'));
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'dist/knowledge/cli/ingest.js'), ...docFiles(), '--out', out],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/kb:ingest: \d+ passages written/);
    expect(existsSync(join(out, '001_312f79c7a1bd20dd.json'))).toBe(true);
    const kb = loadKnowledgeBase(FIXTURE_SEEDS, { passagesDir: out });
    expect(kb.passages.length).toBe(all.length);
    const result = new KnowledgeIndex(kb).search('đề án chuyển đổi số tỉnh Nghệ An đến năm 2030 mục tiêu');
    expect(result.best?.kind).toBe('passage');
    expect(result.best?.entry.kind === 'passage' && result.best.entry.about).toBe('Nghệ An');
  });

  it('fails clearly on a file that cannot be read', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/knowledge/cli/ingest.js'), '/no/such/file.txt'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('/no/such/file.txt: cannot read');
  });
});

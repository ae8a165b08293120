/**
 * `npm run kb:check` as the province's staff run it: the compiled CLI on
 * valid seeds, on a broken copy, and on the project's knowledge base.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_SEEDS, ROOT } from '../../helpers';

/** A writable copy of the fixture seeds. */
function copySeeds(): string {
  const dir = mkdtempSync(join(tmpdir(), 'seeds-'));
  cpSync(FIXTURE_SEEDS, dir, { recursive: true });
  return dir;
}

const procedure = (dir: string): string => join(dir, 'procedures', 'dang-ky-ket-hon.yaml');

describe('npm run kb:check', () => {
  const check = (dir: string) =>
    spawnSync(process.execPath, [join(ROOT, 'dist/knowledge/cli/check.js'), dir], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, KB_PASSAGES_DIR: join(dir, 'no-passages') },
    });

  it('passes on valid seeds', () => {
    const r = check(FIXTURE_SEEDS);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/kb:check: OK: 6 entries/);
  });

  it('prints each problem and exits non-zero on a broken file', () => {
    const dir = copySeeds();
    writeFileSync(procedure(dir), readFileSync(procedure(dir), 'utf8').replace(/^where:.*\n/m, ''));
    const r = check(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('procedures/dang-ky-ket-hon.yaml: where: is required');
    expect(r.stderr).toMatch(/kb:check: 1 problem/);
  });

  it('passes on the project knowledge base', () => {
    const out = execFileSync(
      process.execPath,
      [join(ROOT, 'dist/knowledge/cli/check.js'), join(ROOT, 'seeds')],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, KB_PASSAGES_DIR: join(ROOT, 'no-passages') },
      },
    );
    expect(out).toMatch(/kb:check: OK/);
  });
});

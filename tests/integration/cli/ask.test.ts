import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { FIXTURE_SEEDS, ROOT } from '../../helpers';

const env = { ...process.env, KB_SEEDS_DIR: FIXTURE_SEEDS, KB_PASSAGES_DIR: join(FIXTURE_SEEDS, 'none') };
const ask = (args: string[], input?: string) =>
  spawnSync(process.execPath, [join(ROOT, 'dist/bot/cli/ask.js'), ...args], { input, encoding: 'utf8', env });

describe('npm run ask', () => {
  it('prints the reply as a citizen reads it', () => {
    const r = ask(['lam', 'giay', 'khai', 'sinh', 'o', 'dau']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Đăng ký khai sinh');
    expect(r.stdout).toContain('Nơi nộp');
    expect(r.stdout).toContain('[Gặp tổng đài viên 1022]');
  });

  it('answers JSON lines with the documented shape, keeping conversations apart', () => {
    const input = [
      { id: 'q1', question: 'đăng ký kết hôn ở đâu', conversation: 'a' },
      { id: 'q2', question: 'thế lệ phí bao nhiêu?', conversation: 'a' },
      { id: 'q3', question: 'thế lệ phí bao nhiêu?', conversation: 'b' },
      { id: 'q4', question: 'gia vang hom nay' },
      { id: 'q5', question: 'cho toi gap tong dai vien' },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n');
    const r = ask(['--jsonl'], input + '\nnot json\n');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('line 6: not valid JSON');
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    for (const l of lines) {
      expect(Object.keys(l).sort()).toEqual(
        ['candidates', 'confidence', 'declined', 'entry', 'handoff', 'id', 'kind', 'text'].sort(),
      );
    }
    const [q1, q2, q3, q4, q5] = lines;
    expect(q1.entry).toEqual({ id: 'dang-ky-ket-hon', title: 'Đăng ký kết hôn', codes: ['1.000894'] });
    expect(q1.candidates[0]).toEqual({
      id: 'dang-ky-ket-hon',
      title: 'Đăng ký kết hôn',
      score: q1.confidence,
    });
    expect(q2.entry?.id).toBe('dang-ky-ket-hon');
    expect(q2.text).toContain('Lệ phí');
    expect(q3.entry).toBeNull();
    expect(q4).toMatchObject({ declined: true, entry: null });
    expect(q5).toMatchObject({ handoff: true, declined: false });
  });

  it('refuses to run on an invalid knowledge base and says why', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/bot/cli/ask.js'), 'khai sinh'], {
      encoding: 'utf8',
      env: { ...env, KB_SEEDS_DIR: join(ROOT, 'no-such-dir') },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no-such-dir: (file): directory not found');
  });
});

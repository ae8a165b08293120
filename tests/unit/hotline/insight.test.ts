/** The pure parts of the supervisor's view: CSV, plots, drafts, and merging supervisors' examples. */
import { percentile, startOfDay, toCsv } from '../../../hotline/domain/insight';
import { barChart, niceMax } from '../../../hotline/console/insightCharts';
import { groupQuestions, weekOf } from '../../../hotline/domain/inbox';
import { draftExamplesYaml, draftId } from '../../../knowledge/draft';
import { withExamples } from '../../../knowledge/loader';
import { routerExamples } from '../../../knowledge/router';
import { triageExamples } from '../../../bot/triage';
import { fixtureKb } from '../../helpers';

describe('the supervisor view', () => {
  it('writes CSV a spreadsheet reads safely', () => {
    expect(
      toCsv([
        ['a', 'b'],
        ['=1+1', 'x, "y"'],
        [0.123456, null],
      ]),
    ).toBe('\uFEFFa,b\r\n\'=1+1,"x, ""y"""\r\n0.1235,\r\n');
  });

  it('takes percentiles by nearest rank and days in the zone', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([10, 20, 30, 40], 0.5)).toBe(20);
    expect(percentile([10, 20, 30, 40], 0.9)).toBe(40);
    expect(startOfDay('2026-12-01', 'Asia/Ho_Chi_Minh').toISOString()).toBe('2026-11-30T17:00:00.000Z');
    expect(weekOf('2026-12-06')).toBe('2026-11-30');
  });

  it('draws bars as SVG with the labels escaped', () => {
    expect(niceMax(7)).toBe(10);
    expect(niceMax(0)).toBe(1);
    const svg = barChart('<Tiêu đề>', ['a', 'b'], [{ name: 'n', color: '#000', values: [1, 3] }]);
    expect(svg).toMatch(/^<svg [^>]*role="img"/);
    expect(svg).toContain('&lt;Tiêu đề&gt;');
    expect(svg.match(/<rect x=/g)).toHaveLength(2);
  });

  it('groups questions that say the same words, most citizens first', () => {
    const row = (id: number, conversationId: string, text: string) => ({
      id,
      conversationId,
      outcome: 'notFound',
      text,
      entryId: null,
      candidates: ['x'],
      helpful: null,
      day: '2026-12-01',
    });
    const words = (t: string): string[] => t.toLowerCase().split(/\s+/);
    const groups = groupQuestions(
      [
        row(1, 'a', 'đổi bằng lái'),
        row(2, 'b', 'đổi bằng lái'),
        row(3, 'b', 'đổi bằng lái xe'),
        row(4, 'c', 'sổ đỏ'),
      ],
      words,
      () => 'X',
    );
    expect(groups.map((g) => [g.text, g.count, g.messages, g.ids])).toEqual([
      ['đổi bằng lái', 2, 3, [1, 2, 3]],
      ['sổ đỏ', 1, 1, [4]],
    ]);
    expect(groups[0]?.candidates).toEqual([{ id: 'x', title: 'X', times: 3 }]);
  });

  it('drafts a new entry as an examples file and merges supervisors examples of held entries', () => {
    expect(draftId('Cấp đổi giấy phép lái xe!')).toBe('cap-doi-giay-phep-lai-xe');
    const yaml = draftExamplesYaml('cap-doi-giay-phep-lai-xe', 'Cấp đổi GPLX', [
      'đổi bằng lái',
      'đổi bằng lái',
    ]);
    expect(yaml).toContain(
      'kind: examples\nentry: cap-doi-giay-phep-lai-xe\nquestions:\n  - text: đổi bằng lái\n',
    );
    const kb = fixtureKb();
    const merged = withExamples(kb, [
      { entryId: 'dang-ky-tam-tru', text: 'ở nhờ dài ngày' },
      { entryId: 'khong-co', text: 'bỏ qua' },
    ]);
    expect(merged.examples.length).toBe(kb.examples.length + 1);
    expect(merged.examples.at(-1)).toEqual({
      text: 'ở nhờ dài ngày',
      label: 'dang-ky-tam-tru',
      file: 'supervisor',
    });
    expect(withExamples(kb, [])).toBe(kb);
    // Only the router learns from them: a reload retrains one model, and triage keeps the seeds' view.
    expect(routerExamples(merged)).toHaveLength(routerExamples(kb).length + 1);
    expect(triageExamples(merged)).toEqual(triageExamples(kb));
  });
});

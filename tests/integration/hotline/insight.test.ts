/**
 * The supervisor's figures on both databases: messages recorded with their
 * outcome on known days and hours are counted per day, channel and hour;
 * hand-off waits and ratings come from the tickets; the inbox groups the
 * unanswered questions (a clarification answered by a choice is not one)
 * and a decision takes a group out of it.
 */
import { HotlineDesk } from '../../../hotline/domain/desk';
import { HotlineHours } from '../../../hotline/domain/hours';
import { insightStats, parsePeriod, statsRows, toCsv } from '../../../hotline/domain/insight';
import { groupQuestions, topQuestions, unansweredRows } from '../../../hotline/domain/inbox';
import { Accounts } from '../../../hotline/domain/accounts';
import { contentWords, Lexicon } from '../../../knowledge/query';
import { TurnOutcomes, type TurnOutcome } from '../../../storage/outcomes';
import { backends } from '../../support/backends';
import { fixtureKb } from '../../helpers';

const kb = fixtureKb();
const lexicon = new Lexicon(kb.synonyms, kb.intents);
const words = (t: string): string[] => contentWords(t, lexicon);
const titleOf = (id: string): string | undefined => kb.entries.find((e) => e.id === id)?.title;
const ZONE = 'Asia/Ho_Chi_Minh';

/** Monday 30 November and Tuesday 1 December 2026, hours in Vietnam (UTC+7). */
const at = (day: '30' | '01', hour: number, minute = 0): Date =>
  new Date(Date.UTC(2026, day === '30' ? 10 : 11, Number(day), hour - 7, minute));

const ONNHO = 'nhà có người ở nhờ dài ngày thì phải khai báo gì';

describe.each(backends())('dashboard figures on %s', (_name, backend) => {
  afterEach(() => backend.closeAll());
  afterAll(() => backend.cleanup());

  it('counts messages, conversations, outcomes, hours, waits and ratings; groups the unanswered', async () => {
    const db = await backend.open(await backend.fresh('insight'));
    const outcomes = new TurnOutcomes(db, ZONE);
    const turn = (o: Omit<TurnOutcome, 'text'> & { text?: string }): Promise<void> =>
      outcomes.record({ text: 'câu hỏi', ...o });
    // Web chat: an answer marked unhelpful, then an unanswered question (06:30 on the 30th: 23:30 UTC the day before).
    await turn({
      channel: 'directline',
      conversationId: 'a',
      outcome: 'answered',
      entryId: 'dang-ky-tam-tru',
      text: 'đăng ký tạm trú',
      at: at('30', 6, 30),
    });
    await outcomes.feedback('a', false);
    await turn({
      channel: 'directline',
      conversationId: 'a',
      outcome: 'notFound',
      text: `${ONNHO}, gọi 0912345678`,
      candidates: ['dang-ky-tam-tru'],
      at: at('30', 9),
    });
    await turn({ channel: 'directline', conversationId: 'a', outcome: 'other', at: at('30', 9, 1) });
    // Zalo: the same question without tone marks; a clarification answered by a choice.
    await turn({
      channel: 'zalo',
      conversationId: 'b',
      outcome: 'notFound',
      text: 'nha co nguoi o nho dai ngay thi phai khai bao gi',
      candidates: ['dang-ky-tam-tru', 'cap-the-can-cuoc'],
      at: at('30', 9, 30),
    });
    await turn({
      channel: 'zalo',
      conversationId: 'b',
      outcome: 'clarified',
      text: 'đăng ký',
      candidates: ['dang-ky-ket-hon', 'dang-ky-khai-sinh'],
      at: at('01', 20),
    });
    await turn({
      channel: 'zalo',
      conversationId: 'b',
      outcome: 'answered',
      entryId: 'dang-ky-khai-sinh',
      text: '2',
      at: at('01', 20, 1),
    });
    // The Emulator (Bot Framework): a clarification left without a choice, a refusal, an emergency, a hand-off.
    await turn({
      channel: 'emulator',
      conversationId: 'c',
      outcome: 'clarified',
      text: 'làm giấy tờ',
      candidates: ['dang-ky-ket-hon', 'cap-the-can-cuoc'],
      at: at('01', 20, 5),
    });
    await turn({ channel: 'emulator', conversationId: 'c', outcome: 'other', at: at('01', 20, 6) });
    await turn({ channel: 'emulator', conversationId: 'c', outcome: 'declined', at: at('01', 20, 7) });
    await turn({ channel: 'emulator', conversationId: 'c', outcome: 'emergency', at: at('01', 20, 8) });
    await turn({ channel: 'emulator', conversationId: 'c', outcome: 'handedOff', at: at('01', 20, 9) });
    // Outside the period.
    await turn({
      channel: 'zalo',
      conversationId: 'd',
      outcome: 'notFound',
      text: ONNHO,
      at: at('01', 23, 30),
    });
    await db
      .updateTable('turn_outcomes')
      .set({ day: '2026-12-02' })
      .where('conversation_id', '=', 'd')
      .execute();

    const desk = new HotlineDesk(db, HotlineHours.parse('always', ZONE));
    const lan = (await new Accounts(db).add('lan', 'mat-khau-cua-lan')).id;
    const open = async (
      conversationId: string,
      channel: string,
      created: Date,
      waitSeconds?: number,
      rating?: number,
    ) => {
      const { ticket } = await desk.open({
        reference: {},
        channel,
        conversationId,
        language: 'vi',
        reason: 'asked',
        mode: 'live',
        subject: 's',
      });
      await db
        .updateTable('tickets')
        .set({
          created_at: created.toISOString(),
          claimed_at:
            waitSeconds === undefined ? null : new Date(created.getTime() + waitSeconds * 1000).toISOString(),
          status: waitSeconds === undefined ? 'waiting' : 'resolved',
          agent_id: waitSeconds === undefined ? null : lan,
          rating: rating ?? null,
        })
        .where('id', '=', ticket.id)
        .execute();
    };
    await open('c', 'emulator', at('01', 20, 9), 60, 5);
    await open('x', 'directline', at('30', 10), 120, 4);
    await open('y', 'zalo', at('30', 11), 600);
    await open('z', 'zalo', at('30', 12));

    const period = parsePeriod({ from: '2026-11-30', to: '2026-12-01' }, ZONE);
    const s = await insightStats(db, period, ZONE);
    expect(s.days.map((d) => [d.day, d.conversations, d.messages])).toEqual([
      ['2026-11-30', 2, 4],
      ['2026-12-01', 2, 7],
    ]);
    expect(s.totals).toMatchObject({
      conversations: 3,
      messages: 11,
      answered: 2,
      clarified: 2,
      notFound: 2,
      declined: 1,
      handedOff: 1,
      emergencies: 1,
      other: 2,
      questions: 9,
      notHelpful: 1,
    });
    expect(s.shares.answered).toBeCloseTo(2 / 9);
    expect(s.hours[6]).toBe(1);
    expect(s.hours[9]).toBe(3);
    expect(s.hours[20]).toBe(7);
    expect(s.handoff).toEqual({ tickets: 4, urgent: 0, claimed: 3, waitSeconds: { median: 120, p90: 600 } });
    expect(s.csat).toEqual({ counts: [0, 0, 0, 1, 1], count: 2, average: 4.5 });

    const zalo = await insightStats(db, { ...period, channel: 'zalo' }, ZONE);
    expect(zalo.totals).toMatchObject({
      conversations: 1,
      messages: 3,
      notFound: 1,
      clarified: 1,
      answered: 1,
    });
    expect(zalo.handoff.tickets).toBe(2);
    const bf = await insightStats(db, { ...period, channel: 'botframework' }, ZONE);
    expect(bf.totals).toMatchObject({ conversations: 1, messages: 5, emergencies: 1, handedOff: 1 });
    expect(bf.csat.count).toBe(1);
    const csv = toCsv(statsRows(s, 'days'));
    expect(csv.split('\r\n')[1]).toBe('2026-11-30,2,4,1,0,2,0,0,0,1');
    expect(csv.split('\r\n')[3]).toBe('total,3,11,2,2,2,1,1,1,2');

    // The inbox: the two ways of asking about a long stay are one group of two citizens, masked;
    // the clarification left without a choice and the unhelpful answer are there, the chosen one is not.
    const groups = groupQuestions(await unansweredRows(db, period), words, titleOf);
    expect(groups[0]).toMatchObject({
      count: 2,
      messages: 2,
      outcomes: { notFound: 2, clarified: 0, notHelpful: 0 },
    });
    expect(groups[0]?.examples.join(' ')).toContain('*******678');
    expect(groups[0]?.examples.join(' ')).not.toContain('0912345678');
    expect(groups[0]?.candidates[0]).toEqual({
      id: 'dang-ky-tam-tru',
      title: titleOf('dang-ky-tam-tru'),
      times: 2,
    });
    expect(groups.map((g) => g.text)).toEqual([
      `${ONNHO}, gọi *******678`,
      expect.any(String),
      expect.any(String),
    ]);
    expect(
      groups
        .slice(1)
        .map((g) => g.text)
        .sort(),
    ).toEqual(['làm giấy tờ', 'đăng ký tạm trú'].sort());
    await outcomes.review(groups[0]!.ids, 'outside');
    expect(groupQuestions(await unansweredRows(db, period), words, titleOf)).toHaveLength(2);

    const weeks = await topQuestions(db, period, words, titleOf);
    expect(weeks.map((w) => w.week)).toEqual(['2026-11-30']);
    expect(weeks[0]?.entries.map((e) => [e.id, e.count])).toEqual([
      ['dang-ky-khai-sinh', 1],
      ['dang-ky-tam-tru', 1],
    ]);
    desk.close();
  });
});

describe('the period', () => {
  it('defaults to the last seven days in the zone and refuses bad input', () => {
    const now = new Date('2026-12-04T18:00:00Z'); // 01:00 on the 5th in Vietnam
    expect(parsePeriod({}, ZONE, now)).toEqual({ from: '2026-11-29', to: '2026-12-05', channel: 'all' });
    expect(() => parsePeriod({ from: '2026-12-05', to: '2026-12-01' }, ZONE)).toThrow(/after/);
    expect(() => parsePeriod({ from: '1/12/2026' }, ZONE)).toThrow(/YYYY-MM-DD/);
    expect(() => parsePeriod({ channel: 'sms' }, ZONE)).toThrow(/channel/);
  });
});

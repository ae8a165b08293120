/**
 * Whole conversations through botbuilder's TestAdapter, with state in a
 * real SQLite file: what a citizen sees turn by turn.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActivityTypes, ConversationState, TestAdapter, UserState, type Activity } from 'botbuilder';
import { Assistant } from '../../../bot/assistant';
import { PublicServiceBot } from '../../../bot/publicServiceBot';
import { activityText } from '../../../core/activity';
import type { Reply } from '../../../core/reply';
import { DatabaseStorage } from '../../../storage/botStorage';
import { openDatabase, type Database } from '../../../storage/database';
import { TurnOutcomes } from '../../../storage/outcomes';
import { Records } from '../../../storage/records';
import { fixtureKb, realKb } from '../../helpers';

const assistant = new Assistant(fixtureKb());
/** The project's own knowledge base, where the router has learned from every entry's examples. */
const real = new Assistant(realKb());
const open: Database[] = [];
afterAll(async () => Promise.all(open.map((d) => d.destroy())));

async function botOn(
  file: string,
  brain = assistant,
): Promise<{ adapter: TestAdapter; records: Records; db: Database }> {
  const db = await openDatabase({ sqliteFile: file });
  open.push(db);
  const storage = new DatabaseStorage(db);
  const records = new Records(db);
  const bot = new PublicServiceBot({
    assistant: brain,
    conversationState: new ConversationState(storage),
    userState: new UserState(storage),
    records,
    outcomes: new TurnOutcomes(db),
  });
  const adapter = new TestAdapter(async (context) => bot.run(context));
  return { adapter, records, db };
}

/** The helpful votes on the outcomes of the answers (written after the reply, so waited for). */
async function votes(db: Database, entryId: string, expected: number): Promise<Array<number | null>> {
  const read = () =>
    db
      .selectFrom('turn_outcomes')
      .select('helpful')
      .where('entry_id', '=', entryId)
      .where('helpful', 'is not', null)
      .execute();
  for (let i = 0; i < 50 && (await read()).length < expected; i++)
    await new Promise((r) => setTimeout(r, 20));
  return (await read()).map((r) => r.helpful);
}

const tempDb = (): string => join(mkdtempSync(join(tmpdir(), 'conv-')), 'bot.db');
const replyOf = (a: Partial<Activity>): Reply => (a.channelData as { reply: Reply }).reply;
const textOf = (a: Partial<Activity>): string => activityText(a);

describe('a conversation', () => {
  it('welcomes a new member with the menu as suggested actions', async () => {
    const { adapter } = await botOn(tempDb());
    await adapter
      .send({
        type: ActivityTypes.ConversationUpdate,
        membersAdded: [{ id: 'user1', name: 'user' }],
        recipient: { id: 'bot', name: 'bot' },
      })
      .assertReply((a) => {
        expect(a.text).toContain('trợ lý ảo dịch vụ công');
        expect(a.suggestedActions?.actions.map((x) => x.title)).toEqual([
          'Thủ tục hành chính',
          'Dịch vụ công trực tuyến',
          'Học kỹ năng số',
          'Gặp tổng đài viên 1022',
        ]);
      });
  });

  it('answers with a hero card, follows up on the same topic, and stores feedback', async () => {
    const { adapter, db } = await botOn(tempDb());
    await adapter
      .send('dang ky ket hon o dau')
      .assertReply((a) => {
        expect(a.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.hero');
        expect(textOf(a)).toContain('UBND cấp xã nơi cư trú của một trong hai bên');
        expect(a.summary).toContain('Đăng ký kết hôn');
        expect(a.suggestedActions?.actions.map((x) => x.title)).toEqual(
          expect.arrayContaining(['Lệ phí', 'Gặp tổng đài viên 1022', 'Hữu ích', 'Chưa hữu ích']),
        );
      })
      .send('thế lệ phí bao nhiêu?')
      .assertReply((a) => {
        expect(replyOf(a).entry?.id).toBe('dang-ky-ket-hon');
        expect(textOf(a)).toContain('Lệ phí: Miễn lệ phí.');
      })
      .send('Hữu ích')
      .assertReply((a) => expect(a.text).toContain('Cảm ơn bạn đã đánh giá'));
    expect(await votes(db, 'dang-ky-ket-hon', 1)).toEqual([1]);
  });

  it('asks which one was meant when candidates are close, and the button answers it', async () => {
    const { adapter } = await botOn(tempDb(), real);
    let choice = '';
    await adapter
      // A bare topic several entries share. ("bảo hiểm" alone was used here until 2026-12-07, when the
      // router retrained with the `unspecified` class reads it as one-off social insurance at 0.40; the README
      // keeps that as a known change.)
      .send('đất đai')
      .assertReply((a) => {
        const r = replyOf(a);
        expect(r.kind).toBe('clarify');
        expect(textOf(a)).toContain('Bạn muốn hỏi về:');
        expect(r.buttons.length).toBeGreaterThanOrEqual(3);
        expect(r.buttons.length).toBeLessThanOrEqual(4);
        expect(r.buttons[r.buttons.length - 1]?.title).toBe('Không phải các mục trên');
        choice = r.candidates[1]?.id ?? '';
      })
      .send('2')
      .assertReply((a) => expect(replyOf(a).entry?.id).toBe(choice));
  });

  it('asks which procedure for a part asked with none named, then answers that part of the one named', async () => {
    const { adapter } = await botOn(tempDb(), real);
    await adapter
      .send('lệ phí bao nhiêu vậy')
      .assertReply((a) => {
        const r = replyOf(a);
        expect(r.kind).toBe('clarify');
        expect(r.entry).toBeNull();
        expect(textOf(a)).toContain('thủ tục nào');
        expect(textOf(a)).toContain('phần lệ phí');
      })
      .send('làm hộ chiếu')
      .assertReply((a) => {
        const r = replyOf(a);
        expect(r.entry?.id).toBe('cap-ho-chieu-pho-thong');
        expect(r.fields[0]?.label).toBe('Lệ phí');
      })
      // The part asked waits one turn only: a new question is answered as asked.
      .send('đăng ký khai sinh ở đâu')
      .assertReply((a) => expect(replyOf(a).fields[0]?.label).toBe('Nơi nộp'));
  });

  it('asks which procedure when help with paperwork is asked and none named, then answers the one named', async () => {
    const { adapter } = await botOn(tempDb(), real);
    await adapter
      .send('Tôi làm mất giấy tờ quan trọng rồi')
      .assertReply((a) => {
        const r = replyOf(a);
        expect(r.kind).toBe('clarify');
        expect(r.entry).toBeNull();
        expect(textOf(a)).toContain('Bạn cần hỏi thủ tục nào?');
      })
      .send('mất thẻ căn cước')
      .assertReply((a) => expect(replyOf(a).entry?.id).toBe('cap-the-can-cuoc'));
  });

  it('speaks English to an English question, declines the out of scope, and gives emergency numbers', async () => {
    const { adapter } = await botOn(tempDb());
    await adapter
      .send('How do I get a birth certificate?')
      .assertReply((a) => {
        expect(a.locale).toBe('en-US');
        expect(textOf(a)).toContain('Birth registration');
      })
      .send('gia vang sjc hom nay bao nhieu')
      .assertReply((a) => expect(replyOf(a).declined).toBe(true))
      .send('Nhà hàng xóm đang cháy lớn, cứu với!!!')
      .assertReply((a) => expect(a.text).toContain('114'));
  });

  it('offers the hotline after two unhelpful answers', async () => {
    const { adapter } = await botOn(tempDb());
    await adapter
      .send('dang ky ket hon o dau')
      .assertReply(() => undefined)
      .send('Chưa hữu ích')
      .assertReply((a) => expect(replyOf(a).handoff).toBe(false))
      .send('dang ky tam tru o dau')
      .assertReply(() => undefined)
      .send('Chưa hữu ích')
      .assertReply((a) => {
        expect(replyOf(a).handoff).toBe(true);
        expect(a.text).toContain('tổng đài viên 1022');
      });
  });

  it('understands each message once a turn, whatever runs between its steps', async () => {
    // Other conversations' turns run between a turn's awaits: the turn passes its own understanding
    // along rather than asking the assistant again, which would classify the message anew.
    const { adapter } = await botOn(tempDb());
    const understood = jest.spyOn(assistant, 'understood');
    try {
      await adapter.send('lệ phí đăng ký kết hôn').assertReply(() => undefined);
      await adapter.send('dang ky khai sinh o dau').assertReply(() => undefined);
      expect(understood.mock.calls.map(([text]) => text)).toEqual([
        'lệ phí đăng ký kết hôn',
        'dang ky khai sinh o dau',
      ]);
    } finally {
      understood.mockRestore();
    }
  });

  it('records the transcript with personal numbers masked', async () => {
    const { adapter, records } = await botOn(tempDb());
    await adapter.send('số tôi là 0912345678, làm căn cước ở đâu').assertReply(() => undefined);
    const lines = await records.transcript('Convo1');
    expect(lines[0]).toMatchObject({ role: 'user', text: 'số tôi là *******678, làm căn cước ở đâu' });
    expect(lines[1]?.role).toBe('bot');
  });
});

describe('a lesson', () => {
  it('steps forward and back, is left, and resumes where it stopped after a restart', async () => {
    const file = tempDb();
    const first = await botOn(file);
    await first.adapter
      .send('Bắt đầu bài học: Tạo và bảo vệ mật khẩu')
      .assertReply((a) => expect(a.text).toContain('bước 1/3'))
      .send('Tiếp theo')
      .assertReply((a) => expect(a.text).toContain('bước 2/3'))
      .send('Quay lại')
      .assertReply((a) => expect(a.text).toContain('bước 1/3'))
      .send('tiep')
      .assertReply((a) => expect(a.text).toContain('Không dùng ngày sinh'))
      .send('Thoát bài học')
      .assertReply((a) => expect(a.text).toContain('Đã lưu chỗ bạn đang học (bước 2)'));

    // A new process on the same database file: the place is remembered.
    const second = await botOn(file);
    await second.adapter
      .send('Tiếp tục bài học')
      .assertReply((a) => {
        expect(a.text).toContain('học tiếp từ bước 2');
        expect(a.text).toContain('bước 2/3');
      })
      .send('Tiếp theo')
      .assertReply((a) => expect(a.text).toContain('bước 3/3'))
      .send('Tiếp theo')
      .assertReply((a) => {
        expect(a.text).toContain('Câu hỏi kiểm tra: Có nên dùng ngày sinh làm mật khẩu?');
        expect(a.suggestedActions?.actions.map((x) => x.title)).toEqual(['Có', 'Không', 'Quay lại']);
      })
      .send('Không')
      .assertReply((a) => {
        expect(a.text).toContain('Chính xác!');
        expect(a.text).toContain('Bạn đã học xong bài');
      })
      .send('Tiếp tục bài học')
      .assertReply((a) => expect(a.text).toContain('chưa có bài học nào đang học dở'));
  });

  it('answers a question asked in the middle of a lesson and keeps the place', async () => {
    const { adapter } = await botOn(tempDb());
    await adapter
      .send('Bắt đầu bài học: Tạo và bảo vệ mật khẩu')
      .assertReply(() => undefined)
      .send('đăng ký kết hôn ở đâu')
      .assertReply((a) => expect(replyOf(a).entry?.id).toBe('dang-ky-ket-hon'))
      .send('Tiếp tục bài học')
      .assertReply((a) => expect(a.text).toContain('bước 1/3'));
  });

  it('lists the lessons from the menu', async () => {
    const { adapter } = await botOn(tempDb());
    await adapter.send('Học kỹ năng số').assertReply((a) => {
      expect(a.suggestedActions?.actions.map((x) => x.value)).toEqual([
        'Bắt đầu bài học: Tạo và bảo vệ mật khẩu',
      ]);
    });
  });
});

import { Assistant, newMemory } from '../../../bot/assistant';
import { decide } from '../../../knowledge/language';
import { toPlainText, type Reply } from '../../../core/reply';
import { fixtureKb, realKb } from '../../helpers';

const assistant = new Assistant(fixtureKb());
/** Triage learns from the project's own examples, so safety and small talk are tested on the real knowledge base. */
const real = new Assistant(realKb());
const ask = (text: string, memory = newMemory()): Reply => assistant.respond(text, memory);
const askSafe = (text: string, memory = newMemory()): Reply => real.respond(text, memory);
const plainSafe = (text: string): string => toPlainText(askSafe(text));

describe('small talk', () => {
  it('greets with the menu of the three areas and the hotline', () => {
    const r = askSafe('Xin chào');
    expect(r.kind).toBe('smalltalk');
    expect(r.buttons.map((b) => b.title)).toEqual([
      'Thủ tục hành chính',
      'Dịch vụ công trực tuyến',
      'Học kỹ năng số',
      'Gặp tổng đài viên 1022',
    ]);
    expect(r.handoff || r.declined).toBe(false);
  });

  it('answers thanks and "who are you" without handing off', () => {
    expect(askSafe('cam on ban nhieu nhe').kind).toBe('smalltalk');
    const who = askSafe('Bạn là ai vậy, người thật hay máy?');
    expect(who.kind).toBe('smalltalk');
    expect(who.handoff).toBe(false);
    expect(toPlainText(who)).toContain('trợ lý ảo');
  });

  it('answers in English to an English greeting', () => {
    expect(plainSafe('hi there')).toContain('Hello!');
  });
});

describe('the path to a person', () => {
  it.each([
    'cho toi gap nhan vien tong dai voi',
    'Tôi muốn nói chuyện với cán bộ thật',
    'I want to talk to a person',
  ])('%s → hand-off', (q) => {
    const r = askSafe(q);
    expect(r.handoff).toBe(true);
    expect(toPlainText(r)).toContain('1022');
  });

  it('tells the hotline hours from configuration', () => {
    const custom = new Assistant(
      fixtureKb(),
      {},
      { hours: { vi: '7:00–17:00 hằng ngày', en: '7am–5pm daily' } },
    );
    expect(toPlainText(custom.respond('gặp tổng đài viên', newMemory()))).toContain(
      'Giờ tiếp nhận: 7:00–17:00 hằng ngày',
    );
    expect(toPlainText(custom.respond('talk to a person please', newMemory()))).toContain(
      'Hours: 7am–5pm daily',
    );
  });

  it('treats a complaint as a hand-off and says where complaints go', () => {
    const r = askSafe('Tôi muốn khiếu nại cán bộ một cửa gây khó dễ');
    expect(r.handoff).toBe(true);
    expect(toPlainText(r)).toMatch(/1022.*Cổng Dịch vụ công/s);
  });

  it('gives emergency numbers at once, and the hotline', () => {
    const r = askSafe('Nhà hàng xóm đang cháy lớn, cứu với!!!');
    expect(r.kind).toBe('emergency');
    expect(toPlainText(r)).toContain('114');
    expect(r.handoff).toBe(true);
  });

  it('offers the hotline after two questions in a row it cannot answer', () => {
    const memory = newMemory();
    // Two procedures the knowledge base does not hold. Used here before: the ABTC card (now a planned
    // topic) and a sand-mining licence, which since the fisheries-licence entry is answered with that
    // entry: a wrong neighbour, kept as a known defect in the README, not hidden by this test.
    expect(askSafe('xin giấy phép bay flycam', memory).handoff).toBe(false);
    const second = askSafe('thủ tục đăng ký bản quyền tác giả', memory);
    expect(second.kind).toBe('no_answer');
    expect(second.handoff).toBe(true);
    expect(toPlainText(second)).toContain('1022');
  });
});

describe('outside the service', () => {
  it.each([
    'gia vang sjc hom nay bao nhieu',
    'Mai ở Vinh có mưa không bạn?',
    'Viết giúp tôi bài văn tả con mèo',
  ])('%s is declined politely, with no entry', (q) => {
    const r = askSafe(q);
    expect(r.declined).toBe(true);
    expect(r.entry).toBeNull();
  });
});

describe('answers from the knowledge base', () => {
  it('leads with the part asked for, then offers the other parts and the hotline', () => {
    const r = ask('đăng ký kết hôn cần giấy tờ gì');
    expect(r.entry?.id).toBe('dang-ky-ket-hon');
    expect(r.entry?.codes).toEqual(['1.000894']);
    expect(r.fields[0]?.label).toBe('Hồ sơ cần chuẩn bị');
    expect(r.buttons.map((b) => b.title)).toEqual(
      expect.arrayContaining(['Lệ phí', 'Nơi nộp', 'Gặp tổng đài viên 1022']),
    );
    expect(r.buttons.map((b) => b.title)).not.toContain('Hồ sơ cần chuẩn bị');
    expect(r.link?.url).toMatch(/^https:\/\//);
  });

  it('keeps the topic for follow-up questions', () => {
    const memory = newMemory();
    expect(ask('đăng ký kết hôn ở đâu', memory).entry?.id).toBe('dang-ky-ket-hon');
    const fees = ask('thế lệ phí bao nhiêu?', memory);
    expect(fees.entry?.id).toBe('dang-ky-ket-hon');
    expect(fees.fields.map((f) => f.label)).toEqual(['Lệ phí']);
    const online = ask('lam online duoc ko', memory);
    expect(online.entry?.id).toBe('dang-ky-ket-hon');
    expect(online.fields[0]?.label).toBe('Làm trực tuyến');
  });

  it('moves to a new topic when the follow-up names one', () => {
    const memory = newMemory();
    ask('đăng ký kết hôn ở đâu', memory);
    expect(ask('còn làm thẻ căn cước mất bao lâu', memory).entry?.id).toBe('cap-the-can-cuoc');
  });

  it('frames an English question in English', () => {
    const r = askSafe("How do I register my baby's birth? What documents are needed?");
    expect(r.language).toBe('en');
    expect(r.title).toContain('Birth registration');
    expect(r.fields[0]?.label).toBe('Documents (hồ sơ)');
  });

  it('answers both parts of a question about two procedures', () => {
    const r = askSafe('đăng ký kết hôn xong thì làm thẻ căn cước ở đâu');
    const ids = [r.entry?.id, ...r.sections.map((s) => s.entry?.id)];
    expect(ids).toEqual(expect.arrayContaining(['dang-ky-ket-hon', 'cap-the-can-cuoc']));
  });

  it('offers to start a lesson', () => {
    const r = askSafe('cách đặt mật khẩu an toàn');
    expect(r.entry?.id).toBe('mat-khau-va-xac-thuc-hai-lop');
    expect(r.buttons[0]?.title).toBe('Bắt đầu bài học');
  });
});

describe('short first replies', () => {
  it('keep a procedure overview within about 600 characters, the other parts behind buttons', () => {
    const r = askSafe('thủ tục đăng ký thường trú');
    const length = r.text.join(' ').length + r.fields.reduce((n, f) => n + String(f.value).length, 0);
    expect(r.entry?.id).toBe('dang-ky-thuong-tru');
    expect(length).toBeLessThanOrEqual(650);
    expect(r.buttons.map((b) => b.title)).toEqual(expect.arrayContaining(['Hồ sơ cần chuẩn bị', 'Lệ phí']));
  });
});

describe('the conversation', () => {
  it('answers a field follow-up and an elliptic one on the current entry, and a new topic as new', () => {
    const memory = newMemory();
    expect(askSafe('làm hộ chiếu ở đâu', memory).entry?.id).toBe('cap-ho-chieu-pho-thong');
    const fees = askSafe('thế lệ phí bao nhiêu?', memory);
    expect(fees.entry?.id).toBe('cap-ho-chieu-pho-thong');
    expect(fees.fields.map((f) => f.label)).toContain('Lệ phí');
    expect(askSafe('còn cho trẻ em thì sao', memory).entry?.id).toBe('cap-ho-chieu-pho-thong');
    expect(askSafe('còn đăng ký tạm trú thì cần giấy tờ gì', memory).entry?.id).toBe('dang-ky-tam-tru');
  });

  it('says a procedure it does not hold is not covered, with the portals and 1022', () => {
    const r = askSafe('thủ tục xin thẻ đi lại của doanh nhân APEC (ABTC)');
    expect(r.kind).toBe('no_answer');
    expect(r.entry).toBeNull();
    expect(toPlainText(r)).toMatch(/dichvucong\.gov\.vn.*1022/s);
  });
});

describe('which procedure?', () => {
  it('asks it for a part asked with none named', () => {
    const r = ask('lệ phí bao nhiêu vậy');
    expect(r.kind).toBe('clarify');
    expect(toPlainText(r)).toContain('thủ tục nào');
  });

  // The fixture (six entries) reads this 0.83 as a follow-up (0.75 before the `neighbours/` examples):
  // below the calibrated 0.85, so a procedure it does not hold is not covered, and the hotline's
  // insight records it so. Not every such question is: the fixture still asks which procedure for
  // "làm hộ chiếu ở đâu" (1.00; README).
  it('says a part of the driving licence, which the fixture does not hold, is not covered', () => {
    const r = ask('đổi bằng lái xe máy hết hạn ở đâu');
    expect(r.kind).toBe('no_answer');
    expect(r.entry).toBeNull();
  });
});

describe('system texts', () => {
  const t = assistant.t('vi');

  it('interpolates each text once per key and options and gives the same words after', () => {
    const once = t('fieldQuestion.fees', {
      title: 'Đăng ký khai sinh',
      interpolation: { escapeValue: false },
    });
    expect(once).toContain('Đăng ký khai sinh');
    expect(
      t('fieldQuestion.fees', { title: 'Đăng ký khai sinh', interpolation: { escapeValue: false } }),
    ).toBe(once);
    expect(
      t('fieldQuestion.fees', { title: 'Cấp hộ chiếu', interpolation: { escapeValue: false } }),
    ).toContain('Cấp hộ chiếu');
  });

  it('does not keep an object it was asked for, which a caller may change', () => {
    const words = t('fieldQuestion', { returnObjects: true }) as unknown as Record<string, string>;
    words.fees = 'changed';
    expect((t('fieldQuestion', { returnObjects: true }) as unknown as Record<string, string>).fees).not.toBe(
      'changed',
    );
  });
});

describe('the language of the reply', () => {
  const language = (text: string): string | undefined => real.understood(text).language;

  it('is English for English without the marker words, and around Vietnamese names', () => {
    expect(language('passport fee?')).toBe('en');
    expect(language('whats the address')).toBe('en');
    expect(language('can my wife pick it up for me')).toBe('en');
    expect(language('can I do the hộ chiếu application online with VNeID')).toBe('en');
  });

  it('is Vietnamese for Vietnamese typed without tone marks, whose short words English shares', () => {
    expect(language('lam cccd o dau')).toBe('vi');
    expect(language('can cuoc het han thi lam the nao')).toBe('vi');
    expect(language('do xe o dau thi bi phat')).toBe('vi');
    expect(language('Làm thẻ căn cước ở đâu?')).toBe('vi');
  });

  it('is the conversation’s for a message that alone does not say', () => {
    expect(language('12345')).toBeUndefined();
    const memory = newMemory();
    expect(askSafe('how do I get a passport', memory).language).toBe('en');
    expect(askSafe('whats the address', memory).language).toBe('en');
    expect(askSafe('12345', memory).language).toBe('en');
    // One word is too little to leave the conversation's language, though alone it reads Vietnamese.
    expect(language('VNeID')).toBe('vi');
    expect(askSafe('VNeID', memory).language).toBe('en');
    expect(askSafe('lam cccd o dau', memory).language).toBe('vi');
    // A new conversation with nothing to go on is in Vietnamese.
    expect(real.languageOf('12345', newMemory())).toBe('vi');
  });

  it('reads a message once and weighs the conversation each time a turn asks', () => {
    const known = real.understood('VNeID');
    expect(known.reading).toEqual({ words: 1, says: 'vi' });
    const memory = { ...newMemory(), language: 'en' as const };
    // A turn asks three times (the hand-off, the commands, the answer): the same answer each time.
    for (let i = 0; i < 3; i++) expect(real.languageOf('VNeID', memory, known)).toBe('en');
    expect(decide(known.reading)).toBe('vi');
    expect(decide(real.understood('how do I get a passport').reading, 'vi')).toBe('en');
    expect(decide(real.understood('12345').reading, 'en')).toBe('en');
  });

  it('falls back on marker words for a knowledge base without English examples', () => {
    const noStyles = { ...fixtureKb(), triage: [], fields: [] };
    noStyles.examples = noStyles.examples.map((e) => ({ ...e, style: undefined }));
    const plain = new Assistant(noStyles);
    expect(plain.understood('How do I register the birth of my baby?').language).toBe('en');
    expect(plain.understood('passport fee?').language).toBe('vi');
  });
});

import { KnowledgeIndex } from '../../../knowledge/search';
import { fixtureKb } from '../../helpers';

const index = new KnowledgeIndex(fixtureKb());
const best = (q: string): string | undefined => index.search(q).best?.id;

describe('finding the entry', () => {
  it.each([
    ['Làm giấy khai sinh cho con ở đâu?', 'dang-ky-khai-sinh'],
    ['lam giay khai sinh cho con o dau', 'dang-ky-khai-sinh'],
    ['LÀM GIẤY KHAI SINH', 'dang-ky-khai-sinh'],
    ['đăng ký kết hôn cần gì', 'dang-ky-ket-hon'],
    ['dang ky ket hon can gi', 'dang-ky-ket-hon'],
    ['lam cccd o dau', 'cap-the-can-cuoc'],
    ['tra cứu hồ sơ đến đâu rồi', 'tra-cuu-ho-so'],
    ['dat mat khau the nao cho an toan', 'mat-khau-an-toan'],
  ])('%s → %s', (question, id) => {
    expect(best(question)).toBe(id);
  });

  it('expands chat abbreviations from the synonyms table (đkkh, cccd, ko)', () => {
    expect(best('đkkh ở đâu')).toBe('dang-ky-ket-hon');
    const q = index.parse('lam cccd ko');
    expect(q.words).toEqual(['lam', 'can', 'cuoc', 'cong', 'dan', 'khong']);
  });

  it('tolerates one-letter typos and regional spelling slips', () => {
    expect(best('dang ky khai sin')).toBe('dang-ky-khai-sinh');
    expect(best('tạm chú bao lâu phải gia hạn')).toBe('dang-ky-tam-tru');
  });

  it('finds a procedure by its national code', () => {
    expect(best('thủ tục 1.000894')).toBe('dang-ky-ket-hon');
  });

  it('answers English questions from the English title', () => {
    expect(best('How do I get a birth certificate?')).toBe('dang-ky-khai-sinh');
  });
});

describe('a title said word for word', () => {
  // A high floor makes the phrase's effect plain: said in order, the title lifts the score to it.
  const strict = new KnowledgeIndex(fixtureKb(), { phraseFloor: 0.9 });
  const long =
    'cho tôi hỏi vợ chồng tôi muốn đăng ký kết hôn nhưng hai người ở hai tỉnh khác nhau thì chuẩn bị gì mất bao lâu';
  const apart = long.replace('đăng ký kết hôn', 'kết đăng ký hôn');

  it('counts as strong evidence however long the question', () => {
    const r = strict.search(long);
    expect(r.best?.id).toBe('dang-ky-ket-hon');
    expect(r.best?.score).toBeGreaterThanOrEqual(0.9);
  });

  it('does not when the same words come in another order', () => {
    const said = strict.search(long).best?.score ?? 0;
    const shuffled = strict.search(apart).candidates.find((h) => h.id === 'dang-ky-ket-hon')?.score ?? 0;
    expect(shuffled).toBeLessThan(0.9);
    expect(shuffled).toBeLessThan(said);
  });
});

describe('confidence and decision', () => {
  it('scores in 0..1 and answers a clear question', () => {
    const r = index.search('đăng ký kết hôn');
    expect(r.decision).toBe('answer');
    expect(r.best?.score).toBeGreaterThan(0.5);
    expect(r.best?.score).toBeLessThanOrEqual(1);
    for (const c of r.candidates) expect(c.score).toBeGreaterThanOrEqual(0);
    expect(r.candidates.length).toBeLessThanOrEqual(3);
  });

  it('does not answer a question the knowledge base knows nothing of', () => {
    const r = index.search('bánh chưng nấu mấy tiếng thì ngon');
    expect(r.decision).toBe('no_answer');
  });

  it('gives the same confidence with and without tone marks, and prefers matching marks on ties', () => {
    const a = index.search('đăng ký kết hôn').best?.score ?? 0;
    const b = index.search('dang ky ket hon').best?.score ?? 0;
    expect(Math.abs(a - b)).toBeLessThan(0.01);
  });

  it('gives less credit to a word typed with tone marks the entry only has with other marks', () => {
    // "cân" (weigh) is not "căn" (căn cước); typed without marks it may be either.
    const marked = index.search('cân cước').best?.score ?? 0;
    const plain = index.search('can cuoc').best?.score ?? 0;
    expect(marked).toBeLessThan(plain);
  });

  it('asks which one when two entries match equally', () => {
    const r = index.search('đăng ký');
    expect(r.decision).not.toBe('answer');
  });
});

describe('field intent', () => {
  it.each([
    ['đăng ký kết hôn cần giấy tờ gì', ['documents']],
    ['dang ky ket hon can giay to gi', ['documents']],
    ['lệ phí làm căn cước bao nhiêu', ['fees']],
    ['le phi lam can cuoc', ['fees']],
    ['làm căn cước mất bao lâu', ['processing_time']],
    ['khai sinh nộp ở đâu', ['where']],
    ['khai sinh lam online duoc ko', ['online']],
    ['tạm trú mất mấy ngày, nộp ở đâu', ['processing_time', 'where']],
  ])('%s asks for %j', (question, fields) => {
    expect(index.search(question).fields).toEqual(fields);
  });

  it('leads with the FAQ answer that matches the question', () => {
    const r = index.search('tam tru duoc bao lau thi phai gia han');
    expect(r.best?.id).toBe('dang-ky-tam-tru');
    expect(r.faq).toBe(0);
  });

  it('does not pick a FAQ that adds nothing to the title', () => {
    const r = index.search('làm giấy khai sinh ở đâu');
    expect(r.faq).toBeUndefined();
  });
});

describe('questions about two things', () => {
  const asked = (q: string): Array<string | undefined> => {
    const r = index.search(q);
    return r.decision === 'answer' ? [r.best?.id, ...r.also.map((h) => h.id)] : [];
  };

  it('names the second entry a question also asks about', () => {
    const r = index.search('đăng ký kết hôn xong thì làm thẻ căn cước ở đâu');
    const ids = [r.best?.id, ...r.also.map((h) => h.id)];
    expect(ids).toEqual(expect.arrayContaining(['dang-ky-ket-hon', 'cap-the-can-cuoc']));
  });

  it('splits a question at punctuation and joining words, keeping whether each part asks', () => {
    const parts = index.parts(
      'Vợ chồng tôi mới tạm trú ở Vinh. Đăng ký kết hôn cần giấy tờ gì, tiện hỏi luôn: thẻ căn cước hết hạn thì làm lại ở đâu?',
    );
    expect(parts.map((p) => [p.text, p.asks])).toEqual([
      ['vợ chồng tôi mới tạm trú ở vinh', false],
      ['đăng ký kết hôn cần giấy tờ gì', true],
      // "luôn" alone says too little to be a part: it joins the part after it.
      ['luôn thẻ căn cước hết hạn thì làm lại ở đâu', true],
    ]);
    // A joining word written with tone marks joins only where the question has them: "còn", not "con".
    expect(index.parts('làm khai sinh cho con ở đâu').map((p) => p.text)).toEqual([
      'làm khai sinh cho con ở đâu',
    ]);
    expect(index.parts('làm khai sinh ở đâu, còn thẻ căn cước thì sao').map((p) => p.text)).toEqual([
      'làm khai sinh ở đâu',
      'thẻ căn cước thì sao',
    ]);
  });

  it('finds the entry for the part the best entry leaves unanswered, even one the whole question ranks low', () => {
    expect(asked('Tôi muốn đăng ký kết hôn, tiện hỏi luôn: thẻ căn cước hết hạn thì làm lại ở đâu?')).toEqual(
      ['dang-ky-ket-hon', 'cap-the-can-cuoc'],
    );
    expect(asked('đăng ký khai sinh cho con rồi tra cứu hồ sơ đến đâu thì xem ở đâu?')).toEqual([
      'dang-ky-khai-sinh',
      'tra-cuu-ho-so',
    ]);
  });

  it('reads a field cue as content when a part is searched on its own', () => {
    const whole = index.parse('lệ phí bao nhiêu');
    expect(whole.fields).toEqual(['fees']);
    expect(whole.slots.map((s) => s.label)).not.toContain('phi');
    const part = index.parse('lệ phí bao nhiêu', { fieldCues: false });
    expect(part.fields).toEqual([]);
    expect(part.slots.map((s) => s.label)).toEqual(expect.arrayContaining(['le', 'phi']));
  });

  it('does not answer a part that only tells the circumstances, or asks about the same entry', () => {
    // "tạm trú" names an entry, but the part asks nothing: it is why the citizen asks.
    expect(asked('Vợ chồng tôi mới tạm trú ở Vinh. Đăng ký kết hôn cần giấy tờ gì?')).toEqual([
      'dang-ky-ket-hon',
    ]);
    expect(asked('Con tôi 10 tuổi có làm được thẻ căn cước không, có bắt buộc không?')).toEqual([
      'cap-the-can-cuoc',
    ]);
    // A field question after a comma is about the same entry.
    expect(asked('đăng ký kết hôn ở đâu, lệ phí bao nhiêu?')).toEqual(['dang-ky-ket-hon']);
  });

  it('answers two near-tied entries whose titles match different words of the question', () => {
    const r = index.search('đăng ký tạm trú đăng ký kết hôn');
    expect(r.decision).toBe('answer');
    expect([r.best?.id, ...r.also.map((h) => h.id)].sort()).toEqual(['dang-ky-ket-hon', 'dang-ky-tam-tru']);
  });

  it('still asks which one when near-tied entries match the same words', () => {
    expect(index.search('đăng ký').decision).toBe('clarify');
    expect(index.search('đăng ký').also).toEqual([]);
  });
});

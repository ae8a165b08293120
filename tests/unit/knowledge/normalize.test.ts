import {
  editDistance,
  englishStem,
  fold,
  foldedTokens,
  looksEnglish,
  nfc,
  pairs,
  soundKey,
  tokens,
} from '../../../knowledge/normalize';

describe('fold', () => {
  it('removes tone marks and maps đ to d, in any case', () => {
    expect(fold('Đăng ký khai sinh')).toBe('dang ky khai sinh');
    expect(fold('ĐĂNG KÝ')).toBe('dang ky');
    expect(fold('Thẻ căn cước')).toBe('the can cuoc');
  });

  it('gives the same result for composed (NFC) and decomposed (NFD) input', () => {
    const composed = 'Ủy ban nhân dân'.normalize('NFC');
    const decomposed = composed.normalize('NFD');
    expect(composed).not.toBe(decomposed);
    expect(fold(decomposed)).toBe(fold(composed));
    expect(nfc(decomposed)).toBe(composed);
  });
});

describe('tokens', () => {
  it('keeps the accented form beside the folded one', () => {
    expect(tokens('Căn cước')).toEqual([
      { folded: 'can', accented: 'căn' },
      { folded: 'cuoc', accented: 'cước' },
    ]);
  });

  it('keeps procedure codes and decimal numbers whole', () => {
    expect(foldedTokens('mã 1.001193, phí 4,5%')).toEqual(['ma', '1.001193', 'phi', '4,5']);
  });

  it('joins syllable pairs as terms of their own', () => {
    expect(pairs(['dang', 'ky', 'khai', 'sinh'])).toEqual(['dang_ky', 'ky_khai', 'khai_sinh']);
  });
});

describe('typo tolerance', () => {
  it('measures one-letter slips as distance 1', () => {
    expect(editDistance('khai', 'khia', 1)).toBe(2); // a swap is two edits: not accepted
    expect(editDistance('sinh', 'sin', 1)).toBe(1);
    expect(editDistance('cuoc', 'cuot', 1)).toBe(1);
    expect(editDistance('ket', 'kethon', 1)).toBe(2);
  });

  it('gives regional spelling slips the same sound key', () => {
    expect(soundKey('chu')).toBe(soundKey('tru')); // tạm chú / tạm trú
    expect(soundKey('xinh')).toBe(soundKey('sinh'));
    expect(soundKey('dieng')).toBe(soundKey('rien'));
    expect(soundKey('lam')).toBe(soundKey('nam'));
    expect(soundKey('kham')).not.toBe(soundKey('tham'));
  });
});

describe('language', () => {
  it('tells English from Vietnamese written without tone marks', () => {
    expect(looksEnglish('How do I register the birth of my baby?')).toBe(true);
    expect(looksEnglish('lam cccd o dau')).toBe(false);
    // "can" (cần) and "the" (thẻ) are Vietnamese syllables too.
    expect(looksEnglish('lam can cuoc bao lau thi co the')).toBe(false);
    expect(looksEnglish('Làm thẻ căn cước ở đâu?')).toBe(false);
  });

  it('stems English words so that register and registration meet', () => {
    expect(englishStem('registration')).toBe(englishStem('register'));
    expect(englishStem('cards')).toBe('card');
  });
});

/**
 * The web chat's history skips the masking patterns for a text that cannot
 * hold personal data; the check must never skip one that would be masked.
 */
import { mayHoldPersonalData } from '../../../channels/webchat/store';
import { maskPersonalData } from '../../../core/mask';

describe('mayHoldPersonalData', () => {
  it('lets through what masking changes', () => {
    for (const text of [
      'gọi 0912345678 nhé',
      'số 0912 345 678',
      'số 0912.345.678',
      'số 0-9-1-2-3-4-5-6-7-8',
      '+84 912345678',
      'căn cước 001234567890',
      'cmnd 123456789',
      'thư a.b@example.com',
    ]) {
      expect([text, maskPersonalData(text) !== text]).toEqual([text, true]);
      expect([text, mayHoldPersonalData(text)]).toEqual([text, true]);
    }
  });

  it('skips texts with short numbers only', () => {
    for (const text of ['Lệ phí 50.000 đồng, 5 ngày làm việc', 'mã 1.001193, gọi 1022', 'ngày 2026-11-27'])
      expect([text, mayHoldPersonalData(text)]).toEqual([text, false]);
  });

  it('never skips a text that masking would change (random texts)', () => {
    let seed = 5;
    const random = (): number => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    const pieces = ['0', '1', '9', '84', '+', ' ', '.', '-', '  ', '\u00a0', 'a', 'đ', '@', 'x.y', '\n', ','];
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      const length = 5 + Math.floor(random() * 30);
      for (let i = 0; i < length; i++) text += pieces[Math.floor(random() * pieces.length)];
      if (!mayHoldPersonalData(text)) expect([text, maskPersonalData(text)]).toEqual([text, text]);
    }
  });
});

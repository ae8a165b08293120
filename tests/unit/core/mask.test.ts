/**
 * The one masking function: phone numbers (with and without +84, spaces,
 * dots), 9- and 12-digit ID numbers, e-mail addresses and bank card
 * numbers; and the field masker that applies it to stored JSON (text
 * fields only, ids left alone).
 */
import { luhnValid, maskFields, maskPersonalData } from '../../../core/mask';
import { ticketCode } from '../../../core/handoff';

describe('maskPersonalData', () => {
  it.each([
    ['0912345678', '0912345678'],
    ['+84912345678', '912345678'],
    ['+84 912 345 678', '912 345 678'],
    ['0912.345.678', '345.678'],
    ['84 912 345 678', '912 345'],
    ['001099012345', '001099012345'],
    ['123456789', '123456789'],
    ['an.nguyen@example.vn', 'an.nguyen'],
    ['4111 1111 1111 1111', '4111 1111 1111'],
    ['4111111111111111', '4111111111111111'],
    ['9704-0000-0000-0018', '9704-0000-0000'],
    ['5555555555554444', '5555555555554444'],
  ])('masks %s', (raw, secret) => {
    const masked = maskPersonalData(`Số của tôi: ${raw}, cảm ơn`);
    expect(masked).not.toContain(secret);
    expect(masked).toMatch(/\*{3,}/);
  });

  it('keeps the last digits, and leaves short numbers, fees and dates alone', () => {
    expect(maskPersonalData('thẻ 4111 1111 1111 1111')).toBe('thẻ ************1111');
    expect(maskPersonalData('gọi 0912 345 678')).toBe('gọi *******678');
    const plain = 'Lệ phí 50.000 đồng, nộp trước 15/12/2026, gọi 1022';
    expect(maskPersonalData(plain)).toBe(plain);
  });

  it('leaves a hotline ticket code whole, though its sixteen digits may pass the card checksum', () => {
    // 1022-20261207-0007: the digits pass Luhn, as about one code in ten does on any day.
    expect(luhnValid('1022202612070007')).toBe(true);
    const code = ticketCode('20261207', 7);
    expect(code).toBe('1022-20261207-0007');
    const reply = `Mã yêu cầu của bạn: ${code} (bạn ghi lại để tra cứu).`;
    expect(maskPersonalData(reply)).toBe(reply);
    // A card written in the same groups is not a ticket code: masked.
    expect(maskPersonalData('thẻ 4111-11111111-1111')).toBe('thẻ ************1111');
  });

  it('checks card numbers with Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });
});

describe('maskFields', () => {
  it('masks what people wrote, at any depth, and leaves ids alone', () => {
    const value = {
      from: { id: '8800112233445566778' },
      message: { msg_id: '1234567890123', text: 'email an.nguyen@example.vn' },
      memory: { lastQuestion: 'cccd 001099012345', topic: 'cccd' },
      value: { note: '0912345678' },
    };
    const masked = JSON.stringify(maskFields(value));
    expect(masked).toContain('8800112233445566778');
    expect(masked).toContain('1234567890123');
    for (const raw of ['an.nguyen', '001099012345', '0912345678']) expect(masked).not.toContain(raw);
  });
});

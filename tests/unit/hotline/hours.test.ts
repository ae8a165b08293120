/** Opening hours are read in the hotline's own time zone. */
import { HotlineHours, ScheduleError, parseSchedule } from '../../../hotline/domain/hours';

// 2026-11-23 is a Monday. 00:30 UTC is 07:30 in Vinh (UTC+7).
const at = (iso: string): Date => new Date(iso);

describe('hotline hours', () => {
  const hours = HotlineHours.parse('1-5 07:30-11:30,13:30-17:00; 6 07:30-11:30');

  it('is open in office hours by Vietnam time, whatever the server zone', () => {
    expect(hours.isOpen(at('2026-11-23T00:30:00Z'))).toBe(true); // Mon 07:30
    expect(hours.isOpen(at('2026-11-23T00:29:00Z'))).toBe(false); // Mon 07:29
    expect(hours.isOpen(at('2026-11-23T05:00:00Z'))).toBe(false); // Mon 12:00, lunch
    expect(hours.isOpen(at('2026-11-23T09:59:00Z'))).toBe(true); // Mon 16:59
    expect(hours.isOpen(at('2026-11-23T10:00:00Z'))).toBe(false); // Mon 17:00
    expect(hours.isOpen(at('2026-11-28T01:00:00Z'))).toBe(true); // Sat 08:00
    expect(hours.isOpen(at('2026-11-28T07:00:00Z'))).toBe(false); // Sat 14:00
    expect(hours.isOpen(at('2026-11-29T01:00:00Z'))).toBe(false); // Sun
  });

  it('dates ticket codes by the local day, not the UTC day', () => {
    expect(hours.day(at('2026-11-22T18:00:00Z'))).toBe('20261123'); // 01:00 Monday in Vinh
  });

  it('describes itself in both languages', () => {
    expect(hours.describe('vi')).toBe('thứ Hai–thứ Sáu 07:30–11:30, 13:30–17:00; thứ Bảy 07:30–11:30');
    expect(hours.describe('en')).toBe('Monday–Friday 07:30–11:30, 13:30–17:00; Saturday 07:30–11:30');
    expect(HotlineHours.parse('always').describe('vi')).toBe('24/7, tất cả các ngày');
    expect(HotlineHours.parse('always').isOpen(at('2026-11-29T20:00:00Z'))).toBe(true);
  });

  it('rejects a schedule it cannot read, naming the bad part', () => {
    expect(() => parseSchedule('Mon-Fri 08:00-17:00')).toThrow(ScheduleError);
    expect(() => parseSchedule('1-5 8h-17h')).toThrow(/8h/);
    expect(() => parseSchedule('1-5 17:00-08:00')).toThrow(/ends before it starts/);
    expect(() => parseSchedule('5-1 08:00-17:00')).toThrow(/backwards/);
    expect(() => parseSchedule('')).toThrow(/no opening hours/);
    expect(() => HotlineHours.parse('always', 'Mars/Olympus')).toThrow(RangeError);
  });
});

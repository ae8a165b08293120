import { localDayHour } from '../../../storage/outcomes';

describe('localDayHour', () => {
  it('gives the day and hour in the time zone asked', () => {
    const at = new Date('2026-12-05T17:30:00Z');
    expect(localDayHour(at, 'Asia/Ho_Chi_Minh')).toEqual({ day: '2026-12-06', hour: 0 });
    expect(localDayHour(at, 'UTC')).toEqual({ day: '2026-12-05', hour: 17 });
  });

  it('moves on with the next minute and hour, whatever it kept for the last one', () => {
    expect(localDayHour(new Date('2026-12-05T16:59:59Z'), 'Asia/Ho_Chi_Minh')).toEqual({
      day: '2026-12-05',
      hour: 23,
    });
    expect(localDayHour(new Date('2026-12-05T17:00:00Z'), 'Asia/Ho_Chi_Minh')).toEqual({
      day: '2026-12-06',
      hour: 0,
    });
  });

  it('follows a change of offset at its minute (daylight saving)', () => {
    // New York left daylight saving at 06:00 UTC on 2026-11-01: 01:59 EDT, then 01:00 EST.
    expect(localDayHour(new Date('2026-11-01T05:59:00Z'), 'America/New_York').hour).toBe(1);
    expect(localDayHour(new Date('2026-11-01T06:00:00Z'), 'America/New_York').hour).toBe(1);
    expect(localDayHour(new Date('2026-11-01T07:00:00Z'), 'America/New_York').hour).toBe(2);
  });

  it('returns a value the caller may change without changing the next answer', () => {
    const at = new Date('2026-12-05T10:00:00Z');
    const first = localDayHour(at, 'UTC');
    first.hour = 99;
    expect(localDayHour(at, 'UTC').hour).toBe(10);
  });
});

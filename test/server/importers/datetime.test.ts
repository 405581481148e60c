import { describe, expect, it } from 'vitest';
import { compilePattern, dayOrderOf, matchPattern, parseDateTimeText, parseTimeText } from '../../../src/server/importers/datetime.js';

describe('statement dates and times → ISO 8601 local', () => {
  it.each([
    ['2026-11-20 09:10:00', '2026-11-20T09:10:00'],
    ['2026/11/20 9:10', '2026-11-20T09:10:00'],
    ['2026-11-20T09:10:05', '2026-11-20T09:10:05'],
    ['2026-11-20 09:10:05.123', '2026-11-20T09:10:05'],
    ['20261120 091005', '2026-11-20T09:10:05'],
    ['20261120091005', '2026-11-20T09:10:05'],
    ['2026年11月20日 09:10:05', '2026-11-20T09:10:05'],
    ['2026-11-20', '2026-11-20T00:00:00'],
    ['20/11/2026 09:10', '2026-11-20T09:10:00'],
    ['2028-02-29 12:00:00', '2028-02-29T12:00:00'],
  ])('%j → %j', (text, iso) => {
    expect(parseDateTimeText(text)).toBe(iso);
  });

  it.each(['2026-02-29 10:00:00', '2026-13-01', '2026-11-31', '2026-11-20 24:00:00', '2026-11-20 09:60', '2026-11-20 09:10:00+08:00', 'yesterday', '11/20'])(
    'refuses %j',
    (text) => {
      expect(parseDateTimeText(text)).toBeNull();
    },
  );

  it('reads a time alone', () => {
    expect(parseTimeText('091005')).toEqual({ h: 9, mi: 10, s: 5 });
    expect(parseTimeText('9:10')).toEqual({ h: 9, mi: 10, s: 0 });
    expect(parseTimeText('25:00')).toBeNull();
  });

  it('decides the day order of year-last dates from the file: a day above 12 settles it', () => {
    expect(dayOrderOf(['11/05/2026', '11/20/2026'])).toBe('mdy');
    expect(dayOrderOf(['05/11/2026', '20/11/2026'])).toBe('dmy');
    expect(dayOrderOf(['05/11/2026', undefined])).toBe('dmy');
    expect(parseDateTimeText('11/20/2026 09:10', 'mdy')).toBe('2026-11-20T09:10:00');
  });

  it('reads declared patterns of generic mappings', () => {
    const p = compilePattern('DD.MM.YYYY HH:mm');
    expect(matchPattern(p, '20.11.2026 09:10')).toEqual({ date: { y: 2026, m: 11, d: 20 }, time: { h: 9, mi: 10, s: 0 } });
    expect(matchPattern(p, '31.11.2026 09:10')).toBeNull();
    expect(matchPattern(p, '2026-11-20 09:10')).toBeNull();
    expect(matchPattern(compilePattern('YYYYMMDD'), '20261120')).toEqual({ date: { y: 2026, m: 11, d: 20 }, time: null });
    expect(matchPattern(compilePattern('HHmmss'), '235959')).toEqual({ date: null, time: { h: 23, mi: 59, s: 59 } });
    expect(matchPattern(compilePattern('YY/M/D'), '26/1/5')?.date).toEqual({ y: 2026, m: 1, d: 5 });
    expect(() => compilePattern('MM/DD')).toThrow(/year/);
    expect(() => compilePattern('hello')).toThrow(/no date or time/);
    expect(() => compilePattern('YYYY-MM-DD YYYY')).toThrow(/twice/);
  });
});

import { describe, expect, it } from 'vitest';
import { MatcherError } from '../../../src/server/matcher/errors.js';
import { idKey, last4Of, binOf } from '../../../src/server/matcher/normalize.js';
import { formatLocal, formatZoned, localDate, parseLocal, parseZoned } from '../../../src/server/matcher/time.js';

describe('wall-clock times', () => {
  it('reads local times the fast way exactly as Date does', () => {
    for (const s of ['2026-11-20T14:03:07', '2000-02-29T00:00:00', '1999-12-31T23:59:59', '2024-03-01T12:00:00', '2100-03-01T00:00:01']) {
      expect(parseLocal(s), s).toBe(Date.parse(`${s}Z`));
      expect(formatLocal(parseLocal(s))).toBe(s);
    }
    expect(parseLocal('2026-11-20 14:03')).toBe(Date.parse('2026-11-20T14:03:00Z'));
    expect(parseLocal('2026-11-20T14:03:07.25')).toBe(Date.parse('2026-11-20T14:03:07.250Z'));
  });

  it('moves zoned times onto the merchant clock', () => {
    const wall = Date.parse('2026-11-20T14:03:07Z');
    expect(parseZoned('2026-11-20T14:03:07+08:00', 480)).toBe(wall);
    expect(parseZoned('2026-11-20T06:03:07Z', 480)).toBe(wall);
    expect(parseZoned('2026-11-20T01:03:07-05:00', 480)).toBe(wall);
    expect(parseZoned('2026-11-20T14:03:07.120+08:00', 480)).toBe(wall + 120);
    expect(parseZoned('2026-11-20T14:03:07+0800', 480)).toBe(wall);
    expect(formatZoned(wall, 480)).toBe('2026-11-20T14:03:07+08:00');
    expect(formatZoned(wall, -330)).toBe('2026-11-20T14:03:07-05:30');
    expect(localDate(wall)).toBe('2026-11-20');
  });

  it('refuses impossible times rather than rolling them over', () => {
    for (const s of ['2026-11-20T24:00:00', '2026-02-29T10:00:00', '2026-11-31T10:00:00', '2026-11-20T10:60:00', '20/11/2026 10:00', '']) {
      expect(() => parseLocal(s), s).toThrow(MatcherError);
    }
    expect(() => parseZoned('2026-11-20T14:03:07', 480)).toThrow(/with zone/);
  });
});

describe('ids and cards', () => {
  it('compares ids without leading zeros, spaces or case', () => {
    expect(idKey('000123')).toBe('123');
    expect(idKey('0')).toBe('0');
    expect(idKey('317080478227')).toBe('317080478227');
    expect(idKey(' 3170 8047 ')).toBe('31708047');
    expect(idKey('a1b2c3')).toBe('A1B2C3');
    expect(idKey('A1B2C3')).toBe('A1B2C3');
    expect(idKey('')).toBeUndefined();
    expect(idKey('   ')).toBeUndefined();
  });

  it('cuts masked card numbers to last 4 and BIN', () => {
    expect(last4Of('622588******1234')).toBe('1234');
    expect(binOf('622588******1234')).toBe('622588');
    expect(last4Of('6225 88** **** 1234')).toBe('1234');
    expect(last4Of('****1234')).toBe('1234');
    expect(binOf('****1234')).toBeUndefined();
    expect(last4Of('622588******12*4')).toBeUndefined();
  });
});

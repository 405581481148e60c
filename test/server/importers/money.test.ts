import { describe, expect, it } from 'vitest';
import { prng, int } from '../../../scripts/lib/prng.js';
import { formatMinor, minorExponent, parseMinor, type AmountFormat } from '../../../src/server/importers/money.js';

describe('parseMinor: printed amounts → integer minor units, exactly', () => {
  it.each([
    ['128.10', 12810],
    ['128.1', 12810],
    ['128', 12800],
    ['0.01', 1],
    ['-0.01', -1],
    ['−0.01', -1],
    ['+5.00', 500],
    ['0.0', 0],
    ['-0.00', 0],
    ['1,234.50', 123450],
    ['12,345,678.90', 1234567890],
    ['12.3400', 1234],
    ['  7.5 ', 750],
    ['¥-5.00', -500],
    ['-¥5.00', -500],
    ['12.00元', 1200],
    ['(12.00)', -1200],
    ['0.29', 29],
    ['4.35', 435],
    ['1.005', null],
    ['12.345', null],
    ['1,23.00', null],
    ['1,2345.00', null],
    ['12.3.4', null],
    ['--1.00', null],
    ['(-1.00)', null],
    ['1e3', null],
    ['.5', null],
    ['', null],
    ['abc', null],
    ['NaN', null],
    ['1234567890123456.00', null],
  ])('%j → %j', (text, want) => {
    expect(parseMinor(text)).toBe(want);
  });

  it('reads European and minor-unit formats when told', () => {
    const eu: AmountFormat = { decimal: ',', group: '.', unit: 'major' };
    expect(parseMinor('1.234,50', eu)).toBe(123450);
    expect(parseMinor('-0,01', eu)).toBe(-1);
    expect(parseMinor('12.50', eu)).toBeNull();
    const minor: AmountFormat = { decimal: '.', group: '', unit: 'minor' };
    expect(parseMinor('12810', minor)).toBe(12810);
    expect(parseMinor('128.10', minor)).toBeNull();
    expect(parseMinor('1,280', { ...minor, group: '' })).toBeNull();
  });

  it('follows the currency exponent: JPY has no minor digits, KWD three', () => {
    expect(minorExponent('CNY')).toBe(2);
    expect(parseMinor('1280', undefined, minorExponent('JPY'))).toBe(1280);
    expect(parseMinor('1280.5', undefined, minorExponent('JPY'))).toBeNull();
    expect(parseMinor('1.234', undefined, minorExponent('KWD'))).toBe(1234);
  });

  it('round-trips 20 000 random amounts through their printed form (where floats would drift)', () => {
    const rnd = prng(7);
    for (let i = 0; i < 20_000; i++) {
      const minor = (int(rnd, 2) ? -1 : 1) * int(rnd, 10 ** (1 + int(rnd, 12))) || 0;
      const printed = formatMinor(minor);
      expect(parseMinor(printed), printed).toBe(minor);
      const grouped = printed.replace(/\B(?=(\d{3})+(?!\d)(?=\.))/g, ',');
      expect(parseMinor(grouped), grouped).toBe(minor);
    }
    // The classic float trap: 0.29 * 100 = 28.999999999999996 and 4.35 * 100 = 434.99999999999994.
    expect(Math.round(0.29 * 100)).toBe(29);
    expect(Math.floor(4.35 * 100)).toBe(434);
    expect(parseMinor('4.35')).toBe(435);
  });

  it('formats minor units back as statements print them', () => {
    expect(formatMinor(12810)).toBe('128.10');
    expect(formatMinor(-1)).toBe('-0.01');
    expect(formatMinor(0)).toBe('0.00');
    expect(formatMinor(1280, 0)).toBe('1280');
  });
});

import { describe, expect, it } from 'vitest';
import { measure } from '../../scripts/bench/autodetect.js';

// The figures of scripts/bench/autodetect.ts, held as floors: auto must stay this good.
describe('auto profile: code page inference over every vendor map', () => {
  const scores = measure();
  const sum = (f: (s: (typeof scores)[number]) => number) => scores.reduce((a, s) => a + f(s), 0);

  it('covers every ESC/POS vendor profile with many cases', () => {
    expect(scores.map((s) => s.vendor).sort()).toEqual(['bixolon', 'citizen', 'epson', 'generic-cn', 'hp', 'pos-5890', 'star', 'sunmi', 'xprinter']);
    expect(sum((s) => s.cases)).toBeGreaterThan(1000);
    expect(sum((s) => s.ambiguous)).toBeGreaterThan(500);
  });

  it('the right profile decodes every case exactly', () => {
    for (const s of scores) expect(s.fixedProfile, s.vendor).toBe(s.cases);
  });

  it('auto gets at least 97% of single lines right, and 95% of the ambiguous ones', () => {
    expect(sum((s) => s.lineAuto) / sum((s) => s.cases)).toBeGreaterThanOrEqual(0.97);
    expect(sum((s) => s.ambiguousRight) / sum((s) => s.ambiguous)).toBeGreaterThanOrEqual(0.95);
  });

  it('auto gets at least 99% right over a whole receipt from one printer', () => {
    for (const s of scores) expect(s.receiptAuto / s.cases, s.vendor).toBeGreaterThanOrEqual(0.99);
  });
});

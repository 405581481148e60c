import { describe, expect, it } from 'vitest';
import { measureFields } from '../../scripts/bench/fields.js';
import { checkSlip, generateSlips, MIX } from '../../scripts/gen/slips.js';

// The generated slip set behind scripts/bench/fields.ts must itself be right: every slip decodes
// to exactly what was printed, and every truth value can be read on the paper.
describe('generated slips for the fields benchmark', () => {
  const slips = generateSlips(600, 1);

  it('mixes the kinds in the planned proportions', () => {
    expect(slips).toHaveLength(600);
    const count = new Map<string, number>();
    for (const s of slips) count.set(s.kind, (count.get(s.kind) ?? 0) + 1);
    for (const [kind, share] of MIX) expect(count.get(kind), kind).toBe(Math.round(600 * share));
    expect(new Set(slips.map((s) => s.id)).size).toBe(600);
  });

  it('is the same set on every run; another seed gives another set', () => {
    const again = generateSlips(600, 1);
    expect(again.map((s) => Buffer.from(s.bytes).toString('base64'))).toEqual(slips.map((s) => Buffer.from(s.bytes).toString('base64')));
    const other = generateSlips(600, 2);
    expect(other.map((s) => s.id)).not.toEqual(slips.map((s) => s.id));
  });

  it('decodes every slip to what was printed, with every truth value readable on it', () => {
    const bad = slips.map((s) => ({ id: s.id, problems: checkSlip(s).problems })).filter((x) => x.problems.length > 0);
    expect(bad).toEqual([]);
  });

  it('keeps card numbers masked in the truth and puts no fields on other printouts', () => {
    for (const s of slips) {
      if (s.truth.card_number) expect(s.truth.card_number, s.id).toMatch(/^[0-9]{0,6}\*+[0-9]{4}$/);
      if (s.kind === 'other') expect(s.truth, s.id).toEqual({});
      expect(s.truth, s.id).not.toHaveProperty('template');
    }
  });
});

describe('fields benchmark figures', () => {
  const m = measureFields(120, 3);

  it('accounts for every field of the truth', () => {
    for (const f of m.perField) expect(f.exact + f.missing + f.wrong, f.field).toBe(f.truth);
    expect(m.perField.reduce((a, f) => a + f.truth, 0)).toBe(m.truthFields);
    expect(m.perKind.reduce((a, k) => a + k.slips, 0)).toBe(120);
    expect(m.decodeProblems).toEqual([]);
  });
});

// The target of the fields issue: every field of every shipped template exact, nothing invented
// on receipts of other kinds. Seed 1 is the benchmark's set; seed 23 is a set the templates were
// not tuned on.
describe.each([1, 23])('field extraction on the generated set (seed %i)', (seed) => {
  const m = measureFields(600, seed);

  it('gets every field of every slip exactly', () => {
    const wrong = m.perField.filter((f) => f.exact !== f.truth).map((f) => `${f.field} ${f.exact}/${f.truth}`);
    expect(wrong).toEqual([]);
    expect(m.exactFields).toBe(m.truthFields);
    expect(m.truthFields).toBeGreaterThan(6000);
  });

  it('invents no field and picks the right template for every kind', () => {
    expect(m.inventedFields).toBe(0);
    expect(m.exactSlips).toBe(600);
    for (const k of m.perKind) expect(k.recognised, k.kind).toBe(k.slips);
    expect(m.decodeProblems).toEqual([]);
  });
});

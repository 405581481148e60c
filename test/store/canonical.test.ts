import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/store/canonical.js';
import { decodedReceipts } from '../server/helpers.js';

/** The definition, written plainly (keys sorted at every level, JSON.stringify's other rules). */
function reference(v: unknown): string | undefined {
  if (v === null) return 'null';
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
  if (typeof v !== 'object') return undefined;
  if (Array.isArray(v)) return `[${v.map((x) => reference(x) ?? 'null').join(',')}]`;
  const o = v as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(o).sort()) {
    const w = reference(o[k]);
    if (w !== undefined) parts.push(`${JSON.stringify(k)}:${w}`);
  }
  return `{${parts.join(',')}}`;
}

describe('canonicalJson', () => {
  it('is the sorted-keys JSON of any value: receipts, index-like keys, toJSON, undefined, non-finite numbers', () => {
    let seed = 11;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const leaf = (): unknown => {
      const k = rnd();
      if (k < 0.15) return undefined;
      if (k < 0.25) return [NaN, Infinity, -0][Math.floor(rnd() * 3)];
      if (k < 0.35) return { toJSON: () => 'as json' };
      if (k < 0.45) return rnd() < 0.5;
      if (k < 0.7) return Math.round(rnd() * 1e6) / 100;
      return `s${Math.floor(rnd() * 100)}\u2028é`;
    };
    const make = (depth: number): unknown => {
      const k = rnd();
      if (depth > 3 || k < 0.3) return leaf();
      if (k < 0.5) return Array.from({ length: Math.floor(rnd() * 4) }, () => make(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = 0; i < 6; i++) {
        const key = rnd() < 0.15 ? String(Math.floor(rnd() * 20)) : rnd() < 0.1 ? '' : String.fromCharCode(65 + Math.floor(rnd() * 58));
        o[key] = make(depth + 1);
      }
      return o;
    };
    const values: unknown[] = [...decodedReceipts(3), { b: 1, a: 2 }, { '10': 1, '9': 2, a: 3 }, undefined, null, [], 'x', [undefined, () => 1]];
    for (let i = 0; i < 2000; i++) values.push(make(0));
    for (const v of values) expect(canonicalJson(v)).toBe(reference(v) ?? 'null');
  });
});

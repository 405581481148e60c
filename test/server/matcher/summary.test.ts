import { describe, expect, it } from 'vitest';
import { generateDay } from '../../../scripts/gen/reconcile.js';
import { reconcile, summarize } from '../../../src/server/matcher/index.js';
import { row, run, slip } from './helpers.js';

describe('summaries', () => {
  // Store S01: two matched sales (operator 01), one printed for another amount (operator 02), a
  // duplicate print; store S02 (terminal 10086002): a receipt the statement does not have.
  const r = run({
    statements: [
      row('F:1', '10:00', { reference_no: '300000000001', amount_minor: 1000 }),
      row('F:2', '11:00', { reference_no: '300000000002', amount_minor: 2000 }),
      row('F:3', '12:00', { reference_no: '300000000003', amount_minor: 3000 }),
    ],
    receipts: [
      slip('a', '10:00', { reference_no: '300000000001', amount_minor: 1000, operator_id: '01', copy: 'merchant' }),
      slip('a2', '10:00', { reference_no: '300000000001', amount_minor: 1000, operator_id: '01', copy: 'merchant' }, { captured_at: '2026-11-20T10:01:00+08:00' }),
      slip('b', '11:00', { reference_no: '300000000002', amount_minor: 2000, operator_id: '01' }),
      slip('c', '12:00', { reference_no: '300000000003', amount_minor: 2500, operator_id: '02' }),
      slip('d', '13:00', { reference_no: '300000000004', amount_minor: 400, terminal_id: '10086002', operator_id: '03' }, { store: 'S02' }),
    ],
  });

  it('per store: matched and discrepancies with counts and amounts per currency, by kind and cause', () => {
    expect(summarize(r, 'store')).toEqual([
      {
        key: 'S01',
        matched: { count: 3, amount: { CNY: 6000 } },
        discrepancies: { count: 2, amount: { CNY: 4000 } },
        open: 2,
        by_kind: { duplicate: { count: 1, amount: { CNY: 1000 } }, amount_mismatch: { count: 1, amount: { CNY: 3000 } } },
        by_cause: { staff: 2 },
      },
      {
        key: 'S02',
        matched: { count: 0, amount: {} },
        discrepancies: { count: 1, amount: { CNY: 400 } },
        open: 1,
        by_kind: { orphan_receipt: { count: 1, amount: { CNY: 400 } } },
        by_cause: { unknown: 1 },
      },
    ]);
  });

  it('per terminal and per operator (staff errors under the operator who made them)', () => {
    expect(summarize(r, 'terminal').map((x) => [x.key, x.matched.count, x.discrepancies.count])).toEqual([
      ['10086001', 3, 2],
      ['10086002', 0, 1],
    ]);
    expect(summarize(r, 'operator').map((x) => [x.key, x.matched.count, x.discrepancies.count, x.by_cause])).toEqual([
      ['01', 2, 1, { staff: 1 }],
      ['02', 1, 1, { staff: 1 }],
      ['03', 0, 1, { unknown: 1 }],
    ]);
  });

  it('adds up over a generated day', () => {
    const day = generateDay({ seed: 4 });
    const res = reconcile(day.input);
    for (const by of ['store', 'terminal', 'operator'] as const) {
      const rows = summarize(res, by);
      expect(rows.reduce((a, x) => a + x.matched.count, 0)).toBe(res.matches.length);
      expect(rows.reduce((a, x) => a + x.discrepancies.count, 0)).toBe(res.discrepancies.length);
      expect(rows.reduce((a, x) => a + (x.matched.amount.CNY ?? 0), 0)).toBe(res.matches.reduce((a, m) => a + m.amount_minor, 0));
    }
    const byStore = summarize(res, 'store');
    expect(byStore.some((x) => (x.by_cause.printer ?? 0) > 0)).toBe(true);
    expect(byStore.filter((x) => x.key !== null).map((x) => x.key)).toEqual(expect.arrayContaining(['S01', 'S02', 'S03']));
  });
});

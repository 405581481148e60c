import { describe, expect, it } from 'vitest';
import { reconcile } from '../../../src/server/matcher/index.js';
import { MatcherError } from '../../../src/server/matcher/errors.js';
import type { HealthInterval } from '../../../src/server/matcher/types.js';
import { at, checkInvariants, kinds, MID, only, row, run, slip, TID } from './helpers.js';

const RRN = '317080478227';
const paperOut = (start: string, end: string | null, printer = 'front'): HealthInterval => ({
  store: 'S01',
  printer,
  condition: 'paper_out',
  start: `${at(start)}+08:00`,
  end: end === null ? null : `${at(end)}+08:00`,
});
/** A slip elsewhere on the terminal, so the matcher learns its store and printer. */
const known = slip('known', '09:00', { reference_no: '300000000001', amount_minor: 1 });
const knownRow = row('F:0', '09:00', { reference_no: '300000000001', amount_minor: 1 });

describe('missing_receipt and the grace period', () => {
  const day = (now: string) => ({ statements: [row('F:1', '14:03', { reference_no: RRN })], receipts: [], options: { now } });

  it('is pending while younger than the grace period, with the time it falls due', () => {
    const r = run(day('2026-11-21T14:02:59+08:00'));
    expect(r.discrepancies).toEqual([]);
    expect(r.statements[0]).toEqual({ id: 'F:1', state: 'pending', due: '2026-11-21T14:03:00+08:00' });
  });

  it('is reported exactly when the grace period is over', () => {
    const r = run(day('2026-11-21T14:03:00+08:00'));
    const d = only(r, 'missing_receipt');
    expect(d).toMatchObject({ statement_ids: ['F:1'], receipt_ids: [], cause: 'not_captured', status: 'open', at: at('14:03') });
    expect(r.statements[0]).toMatchObject({ state: 'missing_receipt', key: d.key });
  });

  it('takes the grace period from the options', () => {
    const r = run({ ...day('2026-11-20T15:03:00+08:00'), options: { now: '2026-11-20T15:03:00+08:00', grace_ms: 3600_000 } });
    expect(kinds(r)).toEqual(['missing_receipt']);
  });

  it('rows outside the period are candidates only', () => {
    const r = run({ statements: [row('F:1', '14:03', { datetime: '2026-11-19T23:59:00' })], receipts: [] });
    expect(r.statements[0]!.state).toBe('out_of_period');
    expect(r.discrepancies).toEqual([]);
  });
});

describe('print_failed', () => {
  it('when the printer of the terminal reported a problem at the time', () => {
    const r = run({ statements: [knownRow, row('F:1', '14:03', { reference_no: RRN })], receipts: [known], health: [paperOut('14:01', '14:10')] });
    const d = only(r, 'print_failed');
    expect(d.cause).toBe('printer');
    expect(d.health).toEqual(paperOut('14:01', '14:10'));
    expect(d.store).toBe('S01');
    expect(r.statements[1]).toMatchObject({ state: 'print_failed', key: d.key });
  });

  it('counts a condition a little before it began or after it ended (the slack)', () => {
    const early = run({ statements: [knownRow, row('F:1', '14:00', { reference_no: RRN })], receipts: [known], health: [paperOut('14:01', '14:10')] });
    expect(kinds(early)).toEqual(['print_failed']);
    const late = run({ statements: [knownRow, row('F:1', '14:20', { reference_no: RRN })], receipts: [known], health: [paperOut('14:01', '14:10')] });
    expect(kinds(late)).toEqual(['missing_receipt']);
  });

  it('a condition still going on covers what came after it began', () => {
    const r = run({ statements: [knownRow, row('F:1', '18:00', { reference_no: RRN })], receipts: [known], health: [paperOut('14:01', null)] });
    expect(only(r, 'print_failed').explanation_en).toContain('reported paper end from 14:01');
  });

  it("only the terminal's own printer counts when it is known", () => {
    const r = run({ statements: [knownRow, row('F:1', '14:03', { reference_no: RRN })], receipts: [known], health: [paperOut('14:01', '14:10', 'kitchen')] });
    expect(kinds(r)).toEqual(['missing_receipt']);
  });

  it('configured placement stands in when the terminal printed nothing yet', () => {
    const r = run({
      statements: [row('F:1', '14:03', { reference_no: RRN })],
      receipts: [],
      health: [paperOut('14:01', '14:10', 'kitchen')],
      terminals: [{ merchant_id: MID, terminal_id: TID, store: 'S01', printers: ['kitchen'] }],
    });
    expect(only(r, 'print_failed').explanation_en).toContain('(store S01, printer kitchen)');
  });

  it('keeps the key it had as missing_receipt, so a decision survives the health data arriving', () => {
    const statements = [knownRow, row('F:1', '14:03', { reference_no: RRN })];
    const before = only(run({ statements, receipts: [known] }), 'missing_receipt');
    const after = only(run({ statements, receipts: [known], health: [paperOut('14:01', '14:10')] }), 'print_failed');
    expect(after.key).toBe(before.key);
  });
});

describe('orphan_receipt', () => {
  const statementForMid = row('F:0', '09:00', { reference_no: '300000000001', amount_minor: 1 });
  const matched = slip('m', '09:00', { reference_no: '300000000001', amount_minor: 1 });

  it('a slip the statement does not have', () => {
    const r = run({ statements: [statementForMid], receipts: [matched, slip('o1', '13:00', { reference_no: RRN, copy: 'merchant' }), slip('o2', '13:00', { reference_no: RRN, copy: 'cardholder' })] });
    const d = only(r, 'orphan_receipt');
    expect(d.receipt_ids.sort()).toEqual(['o1', 'o2']);
    expect(d.cause).toBe('unknown');
    expect(d.explanation_en).toContain('check whether it was voided or declined, or whether the slip is genuine');
  });

  it('a declined slip says so', () => {
    const r = run({ statements: [statementForMid], receipts: [matched, slip('o1', '13:00', { trace_no: '000077', fault: true })] });
    expect(only(r, 'orphan_receipt').cause).toBe('declined');
  });

  it('a sale and its void both off the statement point at each other', () => {
    const day = {
      statements: [statementForMid],
      receipts: [
        matched,
        slip('sale', '13:00', { trace_no: '000077', reference_no: RRN }),
        slip('void', '13:04', { trace_no: '000078', reference_no: '317080478228', trans_type: 'void', original_trace_no: '000077' }),
      ],
    };
    const r = run(day);
    checkInvariants(day, r);
    const orphans = r.discrepancies.filter((d) => d.kind === 'orphan_receipt');
    expect(orphans.map((d) => [d.receipt_ids[0], d.cause])).toEqual([
      ['sale', 'voided'],
      ['void', 'voided'],
    ]);
    expect(orphans[0]!.explanation_en).toContain('it was reversed by the void (RRN 317080478228) at 13:04');
    expect(orphans[1]!.explanation_en).toContain('it reverses the sale (RRN 317080478227) of 13:00');
    expect(r.links).toEqual([{ side: 'receipt', reversal: 'void', original: 'sale', by: 'trace_no' }]);
  });

  it('is not reported when no statement covers the merchant, or outside the period', () => {
    const r = run({
      statements: [statementForMid],
      receipts: [
        matched,
        slip('other-merchant', '13:00', { merchant_id: '999999999999999', reference_no: RRN }),
        slip('next-day', '13:00', { reference_no: RRN }, { captured_at: '2026-11-21T13:00:05+08:00' }),
      ].map((s) => (s.id === 'next-day' ? { ...s, fields: { ...s.fields, datetime: '2026-11-21T13:00:00' } } : s)),
    });
    expect(r.discrepancies).toEqual([]);
    const state = Object.fromEntries(r.group_outcomes.map((g) => [g.group, g.state]));
    expect(state).toEqual({ m: 'matched', 'other-merchant': 'not_covered', 'next-day': 'out_of_period' });
  });

  it('test slips, settlement slips and printouts without transaction fields are left out', () => {
    const r = run({
      statements: [statementForMid],
      receipts: [
        matched,
        slip('test', '10:00', { test: true }),
        slip('settle', '22:00', { trans_type: 'settlement', batch_no: '000001', amount_minor: 99999 }),
        slip('blank', '10:00', { merchant_id: undefined, terminal_id: undefined, amount_minor: undefined, trans_type: undefined }),
      ],
    });
    expect(r.discrepancies).toEqual([]);
    expect(r.groups.filter((g) => g.excluded).map((g) => [g.id, g.excluded])).toEqual([
      ['blank', 'no_fields'],
      ['test', 'test'],
      ['settle', 'not_a_transaction'],
    ]);
  });
});

describe('differences on a matched pair', () => {
  it('amount_mismatch with a diff, the staff named as the likely cause', () => {
    const r = run({ statements: [row('F:1', '14:03', { reference_no: RRN })], receipts: [slip('r1', '14:03', { reference_no: RRN, amount_minor: 12000, operator_id: '01' })] });
    const d = only(r, 'amount_mismatch');
    expect(d.diff).toEqual([{ field: 'amount_minor', statement: 12800, receipt: 12000, receipt_ids: ['r1'] }]);
    expect(d).toMatchObject({ cause: 'staff', operator: '01', tier: 'rrn', amount_minor: 12800 });
  });

  it('a tip printed apart from the amount, and differences within the tolerance, are no mismatch', () => {
    const r = run({
      statements: [row('F:1', '14:03', { reference_no: RRN, amount_minor: 13800 }), row('F:2', '14:05', { reference_no: '317080478228', amount_minor: 5001 })],
      receipts: [
        slip('r1', '14:03', { reference_no: RRN, amount_minor: 12800, tip_minor: 1000 }),
        slip('r2', '14:05', { reference_no: '317080478228', amount_minor: 5000 }),
      ],
      options: { amount_tolerance_minor: 1 },
    });
    expect(r.discrepancies).toEqual([]);
  });

  it('type_mismatch when the slip says another type', () => {
    const r = run({ statements: [row('F:1', '14:03', { reference_no: RRN })], receipts: [slip('r1', '14:03', { reference_no: RRN, trans_type: 'refund' })] });
    const d = only(r, 'type_mismatch');
    expect(d.diff).toEqual([{ field: 'trans_type', statement: 'sale', receipt: 'refund', receipt_ids: ['r1'] }]);
    expect(r.matches[0]!.type_differs).toBe(true);
  });

  it('data_mismatch field by field, listing each value the copies show', () => {
    const r = run({
      statements: [row('F:1', '14:03', { reference_no: RRN, card_number: '622588******1234', auth_code: 'A1B2C3', batch_no: '000001' })],
      receipts: [
        slip('merchant', '14:03', { reference_no: RRN, card_number: '622588******1234', auth_code: 'ZZZ999', batch_no: '000001', copy: 'merchant' }),
        slip('cardholder', '14:03:20', { reference_no: RRN, card_number: '622588******4321', auth_code: 'ZZZ999', batch_no: '1', copy: 'cardholder' }),
      ],
    });
    const d = only(r, 'data_mismatch');
    expect(d.diff).toEqual([
      { field: 'card_last4', statement: '1234', receipt: '4321', receipt_ids: ['cardholder'] },
      { field: 'auth_code', statement: 'A1B2C3', receipt: 'ZZZ999', receipt_ids: ['merchant', 'cardholder'] },
    ]);
    expect(d.receipt_ids).toEqual(['merchant', 'cardholder']);
  });

  it('a printed time far from the statement time is a data difference; close is not', () => {
    const r = run({
      statements: [row('F:1', '14:03', { reference_no: RRN }), row('F:2', '15:00', { reference_no: '317080478228' })],
      receipts: [slip('r1', '14:12', { reference_no: RRN }), slip('r2', '15:30', { reference_no: '317080478228' })],
    });
    expect(only(r, 'data_mismatch').diff).toEqual([{ field: 'datetime', statement: at('15:00'), receipt: at('15:30'), receipt_ids: ['r2'] }]);
  });
});

describe('reprint and duplicate', () => {
  it('copies are one transaction; a marked reprint is a reprint; a second unmarked print of a copy is a duplicate', () => {
    const f = { reference_no: RRN };
    const day = {
      statements: [row('F:1', '14:03', f)],
      receipts: [
        slip('a-merchant', '14:03', { ...f, copy: 'merchant' }),
        slip('b-cardholder', '14:03:10', { ...f, copy: 'cardholder' }),
        slip('c-again', '14:04', { ...f, copy: 'merchant' }, { captured_at: '2026-11-20T14:04:30+08:00' }),
        slip('d-reprint', '14:03', { ...f, copy: 'merchant', reprint: true }, { captured_at: '2026-11-20T15:00:00+08:00' }),
      ],
    };
    const r = run(day);
    checkInvariants(day, r);
    expect(r.groups).toHaveLength(1);
    expect(r.groups[0]).toMatchObject({ primary: 'a-merchant', reprints: ['d-reprint'], duplicates: ['c-again'] });
    expect(r.matches[0]!.receipt_ids).toHaveLength(4);
    const dup = only(r, 'duplicate');
    expect(dup).toMatchObject({ receipt_ids: ['c-again', 'a-merchant'], statement_ids: ['F:1'], cause: 'staff' });
    const rep = only(r, 'reprint');
    expect(rep).toMatchObject({ receipt_ids: ['d-reprint'], statement_ids: ['F:1'] });
    expect(kinds(r).sort()).toEqual(['duplicate', 'reprint']);
  });
});

describe('clock_drift', () => {
  // Ten sales on the terminal, slips printed 7 minutes fast; two more rows carry only amount and card.
  const drifted = (offsetMin: number, withRrn = 10) => {
    const statements = [];
    const receipts = [];
    for (let i = 0; i < withRrn; i++) {
      const t = `1${i}:00`;
      const p = `1${i}:${String(offsetMin).padStart(2, '0')}`;
      statements.push(row(`F:${i}`, t, { reference_no: `30000000000${i}`, amount_minor: 1000 + i }));
      receipts.push(slip(`r${i}`, p, { reference_no: `30000000000${i}`, amount_minor: 1000 + i }));
    }
    statements.push(row('F:win', '19:30', { card_last4: '1234', amount_minor: 777 }));
    receipts.push(slip('r-win', `19:${30 + offsetMin}`, { card_number: '622588******1234', amount_minor: 777 }));
    return { statements, receipts };
  };

  it('is reported once per terminal, with the learned offset, and the window tiers use it', () => {
    const day = drifted(7);
    const r = run(day);
    checkInvariants(day, r);
    const d = only(r, 'clock_drift');
    expect(d.clock).toEqual({ offset_ms: 7 * 60_000, samples: 10 });
    expect(d).toMatchObject({ terminal: TID, merchant_id: MID, cause: 'terminal_clock', amount_minor: null });
    expect(d.statement_ids).toHaveLength(10);
    expect(r.clocks).toEqual([{ merchant_id: MID, terminal_id: TID, offset_ms: 420_000, samples: 10, applied: true }]);
    // 7 minutes is outside the 5-minute window: only the corrected time finds the slip.
    expect(r.matches.find((m) => m.statement_id === 'F:win')).toMatchObject({ tier: 'amount_window', delta_ms: 420_000 });
    expect(kinds(r)).toEqual(['clock_drift']);
  });

  it('is not reported under the threshold', () => {
    expect(kinds(run(drifted(1)))).toEqual([]);
  });

  it('needs enough confident matches before it is learned or applied', () => {
    const r = run({ ...drifted(7, 2) });
    expect(r.clocks[0]).toMatchObject({ samples: 2, applied: false });
    expect(kinds(r).sort()).toEqual(['missing_receipt', 'orphan_receipt']);
  });
});

describe('reversal links on the statement side', () => {
  it('a void row names its sale by original trace or RRN; a wallet refund by the original transaction id', () => {
    const r = run({
      statements: [
        row('F:1', '10:00', { reference_no: '300000000001', trace_no: '000010' }),
        row('F:2', '10:05', { reference_no: '300000000002', trace_no: '000011', trans_type: 'void', original_trace_no: '10' }),
        row('F:3', '11:00', { reference_no: '300000000003' }),
        row('F:4', '12:00', { reference_no: '300000000004', trans_type: 'refund', original_reference_no: '300000000003', amount_minor: 100 }),
        row('W:1', '13:00', { source: 'wechat', terminal_id: undefined, transaction_id: '4200000001' }),
        row('W:2', '14:00', { source: 'wechat', terminal_id: undefined, transaction_id: '5030000001', trans_type: 'refund', original_transaction_id: '4200000001' }),
      ],
      receipts: [],
      options: { now: '2026-11-20T15:00:00+08:00' },
    });
    expect(r.links).toEqual([
      { side: 'statement', reversal: 'F:2', original: 'F:1', by: 'trace_no' },
      { side: 'statement', reversal: 'F:4', original: 'F:3', by: 'reference_no' },
      { side: 'statement', reversal: 'W:2', original: 'W:1', by: 'transaction_id' },
    ]);
  });
});

describe('decisions and keys', () => {
  const day = () => ({
    statements: [row('F:1', '14:03', { reference_no: RRN }), row('F:2', '15:00', { reference_no: '317080478228', amount_minor: 500 })],
    receipts: [slip('r1', '14:03', { reference_no: RRN, amount_minor: 1 }), slip('r9', '16:00', { reference_no: '399999999999', amount_minor: 9 })],
  });

  it('keys are the same on every run over the same data, whatever the order', () => {
    const a = run(day());
    const d = day();
    const b = run({ statements: [...d.statements].reverse(), receipts: [...d.receipts].reverse() });
    expect(a.discrepancies.map((x) => x.key)).toEqual(b.discrepancies.map((x) => x.key));
    expect(a.discrepancies.map((x) => x.key)).toEqual([
      expect.stringMatching(/^amount_mismatch:[0-9a-f]{24}$/),
      expect.stringMatching(/^missing:[0-9a-f]{24}$/),
      expect.stringMatching(/^orphan_receipt:[0-9a-f]{24}$/),
    ]);
  });

  it('a prior decision is applied by key, and one whose discrepancy is gone is returned as stale', () => {
    const first = run(day());
    const orphan = only(first, 'orphan_receipt');
    const decision = { key: orphan.key, status: 'resolved' as const, by: 'li.na', at: '2026-11-21T10:00:00+08:00', reason: 'test slip from training' };
    const again = run({ ...day(), decisions: [decision, { ...decision, key: 'missing:000000000000000000000000' }] });
    const d = only(again, 'orphan_receipt');
    expect(d.status).toBe('resolved');
    expect(d.decision).toEqual(decision);
    expect(again.discrepancies.filter((x) => x.kind !== 'orphan_receipt').every((x) => x.status === 'open')).toBe(true);
    expect(again.stale_decisions).toEqual(['missing:000000000000000000000000']);
  });
});

describe('bad input', () => {
  const code = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      return e instanceof MatcherError ? e.code : `not a MatcherError: ${String(e)}`;
    }
    return undefined;
  };
  const base = { statements: [], receipts: [], options: { now: '2026-11-22T00:00:00+08:00' } };

  it('has stable codes', () => {
    expect(code(() => reconcile({ ...base, statements: [row('F:1', '14:03', { datetime: '20/11/2026 14:03' })] }))).toBe('MATCH_BAD_TIME');
    expect(code(() => reconcile({ ...base, receipts: [{ ...slip('r1', '14:03'), captured_at: '2026-11-20T14:03:00' }] }))).toBe('MATCH_BAD_TIME');
    expect(code(() => reconcile({ ...base, receipts: [slip('r1', '14:03'), slip('r1', '14:04')] }))).toBe('MATCH_DUPLICATE_ID');
    expect(code(() => reconcile({ ...base, statements: [row('F:1', '14:03'), row('F:1', '14:04')] }))).toBe('MATCH_DUPLICATE_ID');
    expect(code(() => reconcile({ ...base, options: { ...base.options, period: { from: '2026-11-21', to: '2026-11-20' } } }))).toBe('MATCH_BAD_PERIOD');
    expect(code(() => reconcile({ ...base, options: { ...base.options, now: 'yesterday' } }))).toBe('MATCH_BAD_TIME');
  });

  it('a printed time the decoder could not read leaves the capture time in its place', () => {
    const r = run({ statements: [row('F:1', '14:03', { reference_no: RRN })], receipts: [slip('r1', '14:03', { reference_no: RRN, datetime: '2026-11-20T25:99' })] });
    expect(r.matches).toHaveLength(1);
    expect(r.discrepancies).toEqual([]);
  });
});

describe('options', () => {
  it('an option given as undefined keeps its default', () => {
    const r = run({
      statements: [row('F:1', '14:03', { reference_no: RRN }), row('F:2', '15:00', { auth_code: 'A1B2C3', amount_minor: 700 })],
      receipts: [slip('r2', '15:02', { auth_code: 'A1B2C3', amount_minor: 700 })],
      options: { now: '2026-11-20T16:00:00+08:00', grace_ms: undefined, window_ms: undefined },
    });
    expect(r.statements.map((s) => s.state)).toEqual(['pending', 'matched']);
  });
});

import { describe, expect, it } from 'vitest';
import { MatcherError } from '../../../src/server/matcher/errors.js';
import { Ledger } from '../../../src/server/matcher/ledger.js';
import { checkInvariants, kinds, only, pairs, row, run, slip } from './helpers.js';

const CARD = '622588******1234';

describe('key tiers', () => {
  it('matches (MID, TID, RRN) and takes every copy of the slip into one group', () => {
    const day = {
      statements: [row('F:1', '14:03', { reference_no: '317080478227', card_number: CARD })],
      receipts: [
        slip('r-merchant', '14:03', { reference_no: '317080478227', card_number: CARD, copy: 'merchant' }),
        slip('r-cardholder', '14:03', { reference_no: '317080478227', card_number: CARD, copy: 'cardholder' }),
      ],
    };
    const r = run(day);
    checkInvariants(day, r);
    expect(r.matches).toHaveLength(1);
    expect(r.matches[0]).toMatchObject({ statement_id: 'F:1', tier: 'rrn', type_differs: false });
    expect(pairs(r)).toEqual({ 'F:1': ['r-cardholder', 'r-merchant'] });
    expect(r.groups).toHaveLength(1);
    expect([...r.groups[0]!.copies].sort()).toEqual(['cardholder', 'merchant']);
    expect(r.groups[0]!.duplicates).toEqual([]);
    expect(r.discrepancies).toEqual([]);
  });

  it('matches (MID, TID, batch, trace) when the statement has no RRN, reading 000123 and 123 alike', () => {
    const r = run({
      statements: [row('F:1', '14:03', { batch_no: '1', trace_no: '123' })],
      receipts: [slip('r1', '14:03', { batch_no: '000001', trace_no: '000123', reference_no: '317080478227' })],
    });
    expect(r.matches[0]).toMatchObject({ tier: 'voucher' });
    expect(r.discrepancies).toEqual([]);
  });

  it('does not match a voucher across batches (trace numbers restart with each batch)', () => {
    const r = run({
      statements: [row('F:1', '14:03', { batch_no: '000002', trace_no: '000123', amount_minor: 500 })],
      receipts: [slip('r1', '14:03', { batch_no: '000001', trace_no: '000123', amount_minor: 700 })],
    });
    expect(r.matches).toEqual([]);
    expect(kinds(r).sort()).toEqual(['missing_receipt', 'orphan_receipt']);
  });

  it('a key tier never reaches further than a day', () => {
    const r = run({
      statements: [row('F:1', '14:03', { reference_no: '317080478227', amount_minor: 500 })],
      receipts: [slip('r1', '14:03', { reference_no: '317080478227', amount_minor: 500 }, { captured_at: '2026-11-18T14:03:05+08:00' })].map((s) => ({
        ...s,
        fields: { ...s.fields, datetime: '2026-11-18T14:03:00' },
      })),
      options: { period: { from: '2026-11-18', to: '2026-11-20' } },
    });
    expect(r.matches).toEqual([]);
  });

  it('wallet rows match by transaction id, or by merchant order number alone', () => {
    const wallet = { source: 'wechat' as const, merchant_id: '1900000109', terminal_id: undefined };
    const r = run({
      statements: [
        row('W:1', '10:00', { ...wallet, transaction_id: '4200001234567890', merchant_order_no: 'M1' }),
        row('W:2', '11:00', { ...wallet, merchant_order_no: 'M2', amount_minor: 990 }),
      ],
      receipts: [
        slip('w1', '10:00', { terminal_id: undefined, transaction_id: '4200001234567890', payment_method: 'wechat' }),
        slip('w2', '11:00', { terminal_id: undefined, merchant_order_no: 'M2', amount_minor: 990, payment_method: 'wechat' }),
      ],
    });
    expect(r.matches.map((m) => [m.statement_id, m.tier])).toEqual([
      ['W:1', 'wallet_order'],
      ['W:2', 'wallet_order'],
    ]);
    expect(r.discrepancies).toEqual([]);
  });

  it('sales-log rows match by receipt number, only within the store the log is for', () => {
    const sales = { source: 'sales-log' as const, merchant_id: undefined, terminal_id: undefined, receipt_no: '000123', operator_id: 'C01' };
    const till = { merchant_id: undefined, terminal_id: undefined, receipt_no: '000123', cashier: 'C01', amount_minor: undefined, total_minor: 12800 };
    const r = run({
      statements: [row('L:1', '12:00', sales, { store: 'S01', language: 'zh' })],
      receipts: [slip('other-store', '12:00', till, { store: 'S02' }), slip('own-store', '12:00:30', till)],
    });
    expect(pairs(r)).toEqual({ 'L:1': ['own-store'] });
    expect(r.matches[0]!.tier).toBe('receipt_no');
    // The other store has no sales log: its till receipt is not this statement's business.
    expect(r.group_outcomes.find((g) => g.group === 'other-store')!.state).toBe('not_covered');
    expect(r.discrepancies).toEqual([]);
  });

  it('a sale and its void sharing one RRN each meet the row of their own type', () => {
    const day = {
      statements: [
        row('F:1', '14:03', { reference_no: '317080478227' }),
        row('F:2', '14:05', { reference_no: '317080478227', trans_type: 'void' }),
      ],
      receipts: [
        slip('void', '14:05', { reference_no: '317080478227', trans_type: 'void' }),
        slip('sale', '14:03', { reference_no: '317080478227' }),
      ],
    };
    const r = run(day);
    checkInvariants(day, r);
    expect(pairs(r)).toEqual({ 'F:1': ['sale'], 'F:2': ['void'] });
    expect(r.discrepancies).toEqual([]);
  });
});

describe('window tiers', () => {
  it('(MID, TID, auth, amount, last 4) within the window', () => {
    const r = run({
      statements: [row('F:1', '14:03', { auth_code: 'a1b2c3', card_number: CARD })],
      receipts: [slip('r1', '14:06', { auth_code: 'A1B2C3', card_number: CARD })],
    });
    expect(r.matches[0]).toMatchObject({ tier: 'auth_window' });
    expect(r.discrepancies).toEqual([]);
  });

  it('nothing outside the window', () => {
    const r = run({
      statements: [row('F:1', '14:03', { auth_code: 'A1B2C3', card_number: CARD })],
      receipts: [slip('r1', '14:09', { auth_code: 'A1B2C3', card_number: CARD })],
    });
    expect(r.matches).toEqual([]);
    expect(kinds(r).sort()).toEqual(['missing_receipt', 'orphan_receipt']);
  });

  it('(MID, TID, amount, last 4) is accepted with exactly one candidate on each side', () => {
    const r = run({
      statements: [row('F:1', '14:03', { card_last4: '1234' })],
      receipts: [slip('r1', '14:04', { card_number: CARD })],
    });
    expect(r.matches[0]).toMatchObject({ tier: 'amount_window', confidence: 0.75 });
  });

  it('a different last 4 is no candidate', () => {
    const r = run({
      statements: [row('F:1', '14:03', { card_last4: '9999' })],
      receipts: [slip('r1', '14:04', { card_number: CARD })],
    });
    expect(r.matches).toEqual([]);
  });

  it('two rows and two slips of one amount and card: ambiguous, for a person, and neither missing nor orphan', () => {
    const day = {
      statements: [row('F:1', '14:03', { card_last4: '1234' }), row('F:2', '14:04:30', { card_last4: '1234' })],
      receipts: [slip('r1', '14:03', { card_number: CARD }), slip('r2', '14:04:30', { card_number: CARD })],
    };
    const r = run(day);
    checkInvariants(day, r);
    expect(r.matches).toEqual([]);
    const d = only(r, 'ambiguous');
    expect(d.statement_ids).toEqual(['F:1', 'F:2']);
    expect(d.receipt_ids.sort()).toEqual(['r1', 'r2']);
    expect(r.statements.map((s) => s.state)).toEqual(['ambiguous', 'ambiguous']);
    expect(r.group_outcomes.map((g) => g.state)).toEqual(['ambiguous', 'ambiguous']);
    expect(kinds(r)).toEqual(['ambiguous']);
  });

  it('one row and two slips is ambiguous too', () => {
    const r = run({
      statements: [row('F:1', '14:03', { card_last4: '1234' })],
      receipts: [slip('r1', '14:03', { card_number: CARD }), slip('r2', '14:05', { card_number: CARD })],
    });
    expect(kinds(r)).toEqual(['ambiguous']);
    expect(only(r, 'ambiguous').receipt_ids.sort()).toEqual(['r1', 'r2']);
  });

  it('an auth code decides between two same-amount slips before the amount tier would call it ambiguous', () => {
    const r = run({
      statements: [row('F:1', '14:03', { auth_code: 'AAA111', card_last4: '1234' }), row('F:2', '14:04', { auth_code: 'BBB222', card_last4: '1234' })],
      receipts: [slip('r2', '14:04', { auth_code: 'BBB222', card_number: CARD }), slip('r1', '14:03', { auth_code: 'AAA111', card_number: CARD })],
    });
    expect(pairs(r)).toEqual({ 'F:1': ['r1'], 'F:2': ['r2'] });
    expect(r.matches.every((m) => m.tier === 'auth_window')).toBe(true);
  });
});

describe('one match per row and per receipt', () => {
  it('the ledger refuses a second link for a row or a group', () => {
    const ledger = new Ledger(2, 2);
    ledger.link(0, 0, 'rrn', false);
    const err = (() => {
      try {
        ledger.link(0, 1, 'voucher', false);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(MatcherError);
    expect((err as MatcherError).code).toBe('MATCH_INVARIANT');
    expect(() => ledger.link(1, 0, 'voucher', false)).toThrow(/double match/);
    ledger.link(1, 1, 'rrn', false);
    expect([ledger.groupOf(0), ledger.groupOf(1), ledger.rowOf(0), ledger.rowOf(1)]).toEqual([0, 1, 0, 1]);
  });

  it('two rows claiming one slip: one gets it, the other is missing its receipt', () => {
    const day = {
      statements: [row('F:1', '14:03', { reference_no: '317080478227' }), row('F:2', '14:03', { batch_no: '000001', trace_no: '000042' })],
      receipts: [slip('r1', '14:03', { reference_no: '317080478227', batch_no: '000001', trace_no: '000042' })],
    };
    const r = run(day);
    checkInvariants(day, r);
    expect(pairs(r)).toEqual({ 'F:1': ['r1'] });
    expect(only(r, 'missing_receipt').statement_ids).toEqual(['F:2']);
  });

  it('the result does not depend on the order rows and receipts come in', () => {
    const statements = [
      row('F:1', '09:00', { reference_no: '300000000001' }),
      row('F:2', '09:01', { card_last4: '1234', amount_minor: 700 }),
      row('F:3', '09:02', { auth_code: 'X1', amount_minor: 900 }),
      row('F:4', '09:03', { amount_minor: 5 }),
    ];
    const receipts = [
      slip('a', '09:00', { reference_no: '300000000001', copy: 'merchant' }),
      slip('b', '09:00', { reference_no: '300000000001', copy: 'cardholder' }),
      slip('c', '09:01', { card_number: CARD, amount_minor: 700 }),
      slip('d', '09:02', { auth_code: 'X1', amount_minor: 900 }),
      slip('e', '09:30', { reference_no: '399999999999', amount_minor: 1 }),
    ];
    const one = run({ statements, receipts });
    const two = run({ statements: [...statements].reverse(), receipts: [...receipts].reverse() });
    expect(two).toEqual(one);
  });
});

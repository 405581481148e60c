/**
 * A matched pair, field by field: every field both the statement row and a print of the slip
 * show, compared in the form ids are matched in. One entry per (field, value on the receipts):
 * when the merchant and cardholder copies disagree with each other, both values are listed.
 */
import type { GroupView } from './group.js';
import { idKey, type ReceiptView, type RowView } from './normalize.js';
import { formatLocal } from './time.js';
import type { DiffField, DiscrepancyKind, FieldDiff } from './types.js';

export interface CompareOptions {
  /** The terminal's learned clock offset, ms (0 when none is applied). */
  readonly offsetMs: number;
  readonly timeToleranceMs: number;
  readonly amountToleranceMinor: number;
}

type Value = string | number;

interface FieldRule {
  readonly field: DiffField;
  readonly statement: (r: RowView) => Value | undefined;
  readonly receipt: (m: ReceiptView) => Value | undefined;
  /** Equal in matching terms (defaults to the id form). */
  readonly same?: (s: Value, v: Value, r: RowView, m: ReceiptView, o: CompareOptions) => boolean;
  /** The receipt's value as reported, when it is compared in another form. */
  readonly show?: (v: Value) => Value;
}

const sameId = (a: Value, b: Value): boolean => a === b || idKey(String(a)) === idKey(String(b));

const RULES: readonly FieldRule[] = [
  {
    field: 'amount_minor',
    statement: (r) => r.txn.amount_minor,
    receipt: (m) => m.amount,
    // A slip may print the tip apart from the amount the acquirer settles.
    same: (s, v, _r, m, o) =>
      Math.abs(Number(s) - Number(v)) <= o.amountToleranceMinor ||
      (m.f.tip_minor !== undefined && Math.abs(Number(s) - Number(v) - m.f.tip_minor) <= o.amountToleranceMinor),
  },
  { field: 'trans_type', statement: (r) => r.txn.trans_type, receipt: (m) => m.f.trans_type, same: (a, b) => a === b },
  // The view's last 4 and BIN are the card number's (normalize.ts), read once per receipt.
  { field: 'card_last4', statement: (r) => r.last4, receipt: (m) => m.last4, same: (a, b) => a === b },
  { field: 'card_bin', statement: (r) => r.bin, receipt: (m) => m.bin, same: (a, b) => a === b },
  { field: 'auth_code', statement: (r) => r.txn.auth_code, receipt: (m) => m.f.auth_code },
  { field: 'batch_no', statement: (r) => r.txn.batch_no, receipt: (m) => m.f.batch_no },
  { field: 'trace_no', statement: (r) => r.txn.trace_no, receipt: (m) => m.f.trace_no },
  { field: 'reference_no', statement: (r) => r.txn.reference_no, receipt: (m) => m.f.reference_no },
  {
    field: 'currency',
    statement: (r) => r.txn.currency || undefined,
    receipt: (m) => m.f.currency,
    same: (a, b) => String(a).toUpperCase() === String(b).toUpperCase(),
  },
  { field: 'transaction_id', statement: (r) => r.txn.transaction_id, receipt: (m) => m.f.transaction_id },
  { field: 'merchant_order_no', statement: (r) => r.txn.merchant_order_no, receipt: (m) => m.f.merchant_order_no },
  { field: 'receipt_no', statement: (r) => r.txn.receipt_no, receipt: (m) => m.f.receipt_no },
  { field: 'operator_id', statement: (r) => r.txn.operator_id, receipt: (m) => m.operator },
  {
    field: 'datetime',
    statement: (r) => r.txn.datetime,
    // A reprint may print the time of the reprint: only first prints speak for the transaction's time.
    receipt: (m) => (m.f.reprint !== true ? m.printed : undefined),
    same: (_s, v, r, _m, o) => Math.abs(Number(v) - o.offsetMs - r.t) <= o.timeToleranceMs,
    show: (v) => formatLocal(Number(v)),
  },
];

const NO_DIFFS: readonly FieldDiff[] = Object.freeze([]);

export function diffPair(r: RowView, g: GroupView, o: CompareOptions): readonly FieldDiff[] {
  // Most pairs agree: the list is made at the first difference.
  let diffs: FieldDiff[] | undefined;
  for (let ruleAt = 0; ruleAt < RULES.length; ruleAt++) {
    const rule = RULES[ruleAt]!;
    const s = rule.statement(r);
    if (s === undefined || s === '') continue;
    // Most pairs agree: the map is made only for a field that differs.
    let byValue: Map<Value, string[]> | undefined;
    for (let mAt = 0; mAt < g.members.length; mAt++) {
      const m = g.members[mAt]!;
      const v = rule.receipt(m);
      if (v === undefined || v === '') continue;
      if ((rule.same ?? sameId)(s, v, r, m, o)) continue;
      byValue ??= new Map();
      const ids = byValue.get(v);
      if (ids) ids.push(m.id);
      else byValue.set(v, [m.id]);
    }
    if (byValue) for (const [v, ids] of byValue) (diffs ??= []).push({ field: rule.field, statement: s, receipt: rule.show ? rule.show(v) : v, receipt_ids: ids });
  }
  return diffs ?? NO_DIFFS;
}

/** The kind a pair's differences make: money first, then type, then the rest. */
export function mismatchKind(diffs: readonly FieldDiff[]): Extract<DiscrepancyKind, 'amount_mismatch' | 'type_mismatch' | 'data_mismatch'> {
  if (diffs.some((d) => d.field === 'amount_minor')) return 'amount_mismatch';
  if (diffs.some((d) => d.field === 'trans_type')) return 'type_mismatch';
  return 'data_mismatch';
}

/**
 * The column fields the table formats (acquirer-csv, generic, sales-log) map header names to, and
 * the one reading of a row through them into a StatementTxn. The formats differ in how they find
 * their columns (aliases, a mapping file, JSON keys) and in a few conventions (RowConventions);
 * what a merchant id, an amount or a void is, is decided here once.
 */
import type { TransType } from '../../receipt/fields/types.js';
import type { StatementSource, StatementTxn } from '../statement.js';
import {
  dayOrderOf,
  isoLocal,
  matchPattern,
  parseDateText,
  parseDateTimeText,
  parseTimeText,
  yearLastParts,
  type DatePattern,
  type DayOrder,
} from './datetime.js';
import { DayOrderFound, DayOrderNeeded, txn, type DayOrderOption } from './importer.js';
import { minorExponent, parseMinor, type AmountFormat } from './money.js';
import type { Row } from './table.js';
import { cardOf, currencyOf, direct, idOf, paymentMethodOf } from './values.js';

export const FIELDS = [
  'merchant_id', 'terminal_id', 'datetime', 'date', 'time', 'trans_type', 'amount', 'amount_minor', 'fee', 'settle',
  'currency', 'card_number', 'card_last4', 'batch_no', 'trace_no', 'reference_no', 'auth_code', 'transaction_id',
  'merchant_order_no', 'original_reference_no', 'original_trace_no', 'original_transaction_id', 'refund_no',
  'merchant_refund_no', 'receipt_no', 'operator_id', 'status', 'payment_method',
] as const;
export type Field = (typeof FIELDS)[number];

/** Plain id fields: copied with spaces removed. */
const ID_FIELDS = [
  'terminal_id', 'batch_no', 'trace_no', 'reference_no', 'auth_code', 'transaction_id', 'merchant_order_no',
  'original_reference_no', 'original_trace_no', 'original_transaction_id', 'refund_no', 'merchant_refund_no',
  'receipt_no', 'operator_id',
] as const satisfies readonly Field[];

/** What a transaction type cell means: a type, `null` for "say nothing" (the sign decides), or unknown. */
export type TypeReading = TransType | null | 'unknown';

export interface RowConventions {
  readonly source: StatementSource;
  readonly amount: AmountFormat;
  /** `signed`: a negative amount is money going back; `magnitude`: a negative amount is an error. */
  readonly sign: 'signed' | 'magnitude';
  /** The currency when the row does not say. */
  readonly currency: string;
  /** The merchant when the row does not say (the file's header block). */
  readonly merchant_id?: string | undefined;
  /** How dates with the year last are read. */
  readonly dayOrder: DayOrder;
  readonly patterns?: { readonly datetime?: DatePattern; readonly date?: DatePattern; readonly time?: DatePattern };
  readonly typeOf: (cell: string) => TypeReading;
  /** For an unknown type: refuse the row (`error`) or keep it as `other`. */
  readonly unknownType: 'error' | 'other';
}

function when(row: Row<Field>, c: RowConventions): string {
  const p = c.patterns ?? {};
  const dt = row.get('datetime');
  if (dt !== undefined) {
    if (p.datetime) {
      const m = matchPattern(p.datetime, dt);
      if (m?.date) return isoLocal(m.date, m.time);
      throw row.error('STATEMENT_BAD_DATE', 'datetime', `"${dt}" does not fit ${p.datetime.source}`);
    }
    const iso = parseDateTimeText(dt, c.dayOrder);
    if (!iso) throw row.error('STATEMENT_BAD_DATE', 'datetime', `not a date and time: "${dt}"`);
    return iso;
  }
  const d = row.get('date');
  const t = row.get('time');
  if (d === undefined) {
    // A lone 交易时间 column holding the whole date and time.
    if (t !== undefined) {
      const iso = parseDateTimeText(t, c.dayOrder);
      if (iso) return iso;
      throw row.error('STATEMENT_BAD_DATE', 'time', `not a date and time: "${t}"`);
    }
    throw row.error('STATEMENT_MISSING_VALUE', 'date', 'no transaction date');
  }
  let date;
  if (p.date) {
    const m = matchPattern(p.date, d);
    if (!m?.date) throw row.error('STATEMENT_BAD_DATE', 'date', `"${d}" does not fit ${p.date.source}`);
    date = m.date;
  } else {
    date = parseDateText(d, c.dayOrder);
    if (!date) {
      // Some exports put the whole date and time in the date column.
      const iso = parseDateTimeText(d, c.dayOrder);
      if (iso && t === undefined) return iso;
      throw row.error('STATEMENT_BAD_DATE', 'date', `not a date: "${d}"`);
    }
  }
  if (t === undefined) return isoLocal(date, null);
  if (p.time) {
    const m = matchPattern(p.time, t);
    if (!m?.time) throw row.error('STATEMENT_BAD_DATE', 'time', `"${t}" does not fit ${p.time.source}`);
    return isoLocal(date, m.time);
  }
  const time = parseTimeText(t);
  if (time) return isoLocal(date, time);
  // A time column repeating the date ("2026-11-20 09:10:00"): its date must agree.
  const iso = parseDateTimeText(t, c.dayOrder);
  if (iso && iso.startsWith(isoLocal(date, null).slice(0, 10))) return iso;
  throw row.error('STATEMENT_BAD_DATE', 'time', `not a time: "${t}"`);
}

function money(row: Row<Field>, key: 'amount' | 'fee' | 'settle', c: RowConventions, exp: number): number | undefined {
  const v = row.get(key);
  if (v === undefined) return undefined;
  const minor = parseMinor(v, c.amount, exp);
  if (minor === null) throw row.error('STATEMENT_BAD_AMOUNT', key, `not an amount: "${v}"`);
  return minor;
}

function signedAmount(row: Row<Field>, c: RowConventions, exp: number): number {
  const major = money(row, 'amount', c, exp);
  if (major !== undefined) return major;
  const v = row.get('amount_minor');
  if (v !== undefined) {
    const minor = parseMinor(v, { ...c.amount, unit: 'minor', group: '' }, exp);
    if (minor === null) throw row.error('STATEMENT_BAD_AMOUNT', 'amount_minor', `not a whole number of minor units: "${v}"`);
    return minor;
  }
  throw row.error('STATEMENT_MISSING_VALUE', 'amount', 'no amount');
}

/** One row of a table format → StatementTxn (throws StatementError naming line and column). */
export function readRow(row: Row<Field>, c: RowConventions): StatementTxn {
  const datetime = when(row, c);
  const cur = row.get('currency');
  let currency = c.currency;
  if (cur !== undefined) {
    const code = currencyOf(cur);
    if (!code) throw row.error('STATEMENT_BAD_CURRENCY', 'currency', `not a currency: "${cur}"`);
    currency = code;
  }
  const exp = minorExponent(currency);
  const signed = signedAmount(row, c, exp);
  const amountKey = row.get('amount') !== undefined ? 'amount' : 'amount_minor';
  if (signed < 0 && c.sign === 'magnitude') {
    throw row.error('STATEMENT_BAD_AMOUNT', amountKey, `a negative amount ("${row.get(amountKey)}") where amounts are magnitudes`);
  }
  const typeCell = row.get('trans_type');
  let type: TransType | null = null;
  if (typeCell !== undefined) {
    const t = c.typeOf(typeCell);
    if (t === 'unknown') {
      if (c.unknownType === 'error') throw row.error('STATEMENT_BAD_TYPE', 'trans_type', `an unknown transaction type: "${typeCell}"`);
      type = 'other';
    } else type = t;
  }
  const trans_type = direct(type, signed);
  if (trans_type === null) {
    throw row.error('STATEMENT_SIGN_MISMATCH', amountKey, `a negative amount on a "${typeCell}" row, which takes money in`);
  }
  const card = cardOf(row.get('card_number'));
  const last4 = row.get('card_last4');
  const raw = row.raw();
  // The raw row is evidence shown to people: it gets the masked card number, never the full one.
  if (card.card_number !== undefined) raw[row.column('card_number')] = card.card_number;
  const ids: Partial<Record<(typeof ID_FIELDS)[number], string>> = {};
  for (const k of ID_FIELDS) {
    const v = idOf(row.get(k));
    if (v !== undefined) ids[k] = v;
  }
  const pm = row.get('payment_method');
  return txn({
    line: row.line,
    source: c.source,
    merchant_id: idOf(row.get('merchant_id')) ?? c.merchant_id,
    datetime,
    trans_type,
    amount_minor: Math.abs(signed),
    currency,
    fee_minor: money(row, 'fee', c, exp),
    settle_minor: money(row, 'settle', c, exp),
    ...card,
    ...(card.card_last4 === undefined && last4 !== undefined && /^\d{4}$/.test(last4) ? { card_last4: last4 } : {}),
    ...ids,
    status: row.get('status'),
    payment_method: pm !== undefined ? paymentMethodOf(pm) : undefined,
    raw,
  });
}

/**
 * The rows of a table format through readRow. How year-last dates read depends on all of the
 * date column (dayOrderOf): with the order not yet known, a row holding one stops the reading
 * (DayOrderNeeded); with `scan`, the column is read for it and nothing else (DayOrderFound).
 */
export function* tableTxns(
  rows: Iterable<Row<Field>>,
  dateKey: Field,
  conventions: Omit<RowConventions, 'dayOrder'>,
  order: DayOrderOption,
  check?: (row: Row<Field>) => void,
): Generator<StatementTxn> {
  if (order === 'scan') {
    const cells = (function* () {
      for (const r of rows) yield r.get(dateKey);
    })();
    throw new DayOrderFound(dayOrderOf(cells));
  }
  const c: RowConventions = { ...conventions, dayOrder: order ?? 'dmy' };
  for (const row of rows) {
    if (order === undefined) {
      const cell = row.get(dateKey);
      if (cell !== undefined && yearLastParts(cell) !== null) throw new DayOrderNeeded();
    }
    check?.(row);
    yield readRow(row, c);
  }
}

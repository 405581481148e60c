/**
 * Both sides read once into flat views: times on the wall clock, ids in their comparison form,
 * card numbers cut to last 4 and BIN. Everything after this works on views, never on raw strings.
 */
import type { TransType } from '../../receipt/fields/types.js';
import type { StatementTxn } from '../statement.js';
import { MatcherError } from './errors.js';
import { localDate, parseLocal, parseZoned, type WallMs } from './time.js';
import type { HeldReceipt, MatchFields, StatementRow } from './types.js';

/**
 * Which kind of statement can reconcile a row or a receipt: acquirer card statements by MID,
 * wallet statements by platform, POS sales logs by store.
 */
export type Channel = 'card' | 'wallet' | 'sales';

/**
 * An id in the form both sides are compared in: digits lose their leading zeros (a statement
 * opened in a spreadsheet drops them: 000123 → 123), letters go upper case.
 */
export function idKey(v: string | undefined): string | undefined {
  if (v === undefined || v === '') return undefined;
  // Fast paths for the common forms, with no regex and no new string unless zeros are cut: this
  // runs for every id of every row and receipt.
  let digits = true;
  let plain = true;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 48 && c <= 57) continue;
    digits = false;
    if (!(c >= 65 && c <= 90)) {
      plain = false;
      break;
    }
  }
  if (digits) {
    let z = 0;
    while (z < v.length - 1 && v.charCodeAt(z) === 48) z++;
    return z === 0 ? v : v.slice(z);
  }
  if (plain) return v;
  const s = v.replace(/\s+/g, '').toUpperCase();
  if (s === '') return undefined;
  if (/^\d+$/.test(s)) return s.replace(/^0+(?=\d)/, '');
  return s;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** The card's last 4 digits, spaces and dashes ignored; undefined when it does not end in 4 digits. */
export function last4Of(card: string | undefined): string | undefined {
  if (!card) return undefined;
  const n = card.length;
  // The common form ends in 4 digits with no separator among them: a slice, no string built a digit at a time.
  if (n >= 4 && isDigit(card.charCodeAt(n - 1)) && isDigit(card.charCodeAt(n - 2)) && isDigit(card.charCodeAt(n - 3)) && isDigit(card.charCodeAt(n - 4))) {
    return card.slice(n - 4);
  }
  let out = '';
  for (let i = n - 1; i >= 0 && out.length < 4; i--) {
    const c = card.charCodeAt(i);
    if (c === 32 || c === 45) continue;
    if (!isDigit(c)) return undefined;
    out = card[i] + out;
  }
  return out.length === 4 ? out : undefined;
}

/** The card's first 6 digits (its BIN), when it starts with 6 digits. */
export function binOf(card: string | undefined): string | undefined {
  if (!card) return undefined;
  let i = 0;
  while (i < 6 && i < card.length && isDigit(card.charCodeAt(i))) i++;
  if (i === 6) return card.slice(0, 6);
  let out = '';
  for (i = 0; i < card.length && out.length < 6; i++) {
    const c = card.charCodeAt(i);
    if (c === 32 || c === 45) continue;
    if (!isDigit(c)) return undefined;
    out += card[i];
  }
  return out.length === 6 ? out : undefined;
}

/** Voids and refunds move money back; reversal links start from them. */
export const isReversal = (t: TransType | undefined): boolean => t === 'void' || t === 'refund' || t === 'preauth_void';

/** What a statement row and a receipt are compared on: ids in their comparison form (idKey), card last 4 and BIN. */
export interface MatchKeys {
  readonly mid?: string;
  readonly tid?: string;
  readonly rrn?: string;
  readonly batch?: string;
  readonly trace?: string;
  readonly auth?: string;
  readonly last4?: string;
  readonly bin?: string;
  readonly txid?: string;
  readonly order?: string;
  readonly receiptNo?: string;
  readonly origRrn?: string;
  readonly origTrace?: string;
  readonly origTxid?: string;
}

export interface RowView extends MatchKeys {
  /** Position in time order (the order every pass walks). */
  idx: number;
  readonly id: string;
  readonly row: StatementRow;
  readonly txn: StatementTxn;
  readonly t: WallMs;
  readonly date: string;
  readonly channel: Channel;
  readonly type: TransType;
}

export function channelOfRow(txn: Pick<StatementTxn, 'source'>): Channel {
  if (txn.source === 'wechat' || txn.source === 'alipay') return 'wallet';
  if (txn.source === 'sales-log') return 'sales';
  return 'card';
}

export function rowViews(rows: readonly StatementRow[]): RowView[] {
  const seen = new Set<string>();
  const views = rows.map((row): RowView => {
    if (seen.has(row.id)) throw new MatcherError('MATCH_DUPLICATE_ID', `statement row id ${row.id} appears twice`);
    seen.add(row.id);
    const txn = row.txn;
    const t = parseLocal(txn.datetime);
    return {
      idx: 0,
      id: row.id,
      row,
      txn,
      t,
      date: localDate(t),
      channel: channelOfRow(txn),
      mid: idKey(txn.merchant_id),
      tid: idKey(txn.terminal_id),
      rrn: idKey(txn.reference_no),
      batch: idKey(txn.batch_no),
      trace: idKey(txn.trace_no),
      auth: idKey(txn.auth_code),
      last4: txn.card_last4 ?? last4Of(txn.card_number),
      bin: binOf(txn.card_number),
      txid: idKey(txn.transaction_id),
      order: idKey(txn.merchant_order_no),
      receiptNo: idKey(txn.receipt_no),
      type: txn.trans_type,
      origRrn: idKey(txn.original_reference_no),
      origTrace: idKey(txn.original_trace_no),
      origTxid: idKey(txn.original_transaction_id),
    };
  });
  views.sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  views.forEach((v, idx) => (v.idx = idx));
  return views;
}

export interface ReceiptView extends MatchKeys {
  readonly id: string;
  readonly r: HeldReceipt;
  readonly f: MatchFields;
  /** When the agent captured it (the shop PC's clock). */
  readonly captured: WallMs;
  /** The time printed on the slip (the payment terminal's clock), when printed. */
  readonly printed?: WallMs;
  /** amount_minor, or a retail receipt's total. */
  readonly amount?: number;
  readonly operator?: string;
}

export function receiptViews(receipts: readonly HeldReceipt[], utcOffsetMinutes: number): ReceiptView[] {
  const seen = new Set<string>();
  const views = receipts.map((r): ReceiptView => {
    if (seen.has(r.id)) throw new MatcherError('MATCH_DUPLICATE_ID', `receipt id ${r.id} appears twice`);
    seen.add(r.id);
    const f = r.fields;
    let printed: WallMs | undefined;
    if (f.datetime) {
      // A printed time the decoder could not read fully is no evidence; the capture time stands in.
      try {
        printed = parseLocal(f.datetime);
      } catch {
        printed = undefined;
      }
    }
    return {
      id: r.id,
      r,
      f,
      captured: parseZoned(r.captured_at, utcOffsetMinutes),
      printed,
      amount: f.amount_minor ?? f.total_minor,
      last4: last4Of(f.card_number),
      bin: binOf(f.card_number),
      operator: f.operator_id ?? f.cashier,
      mid: idKey(f.merchant_id),
      tid: idKey(f.terminal_id),
      rrn: idKey(f.reference_no),
      batch: idKey(f.batch_no),
      trace: idKey(f.trace_no),
      auth: idKey(f.auth_code),
      txid: idKey(f.transaction_id),
      order: idKey(f.merchant_order_no),
      receiptNo: idKey(f.receipt_no),
      origRrn: idKey(f.original_reference_no),
      origTrace: idKey(f.original_trace_no),
      origTxid: idKey(f.original_transaction_id),
    };
  });
  views.sort((a, b) => a.captured - b.captured || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return views;
}

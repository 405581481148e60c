/**
 * A part of a day's run (reconcile/run.ts) read as one JSON text per record, built by the
 * database: a statement row as a JSON array of its values, a receipt as its stored fields (JSON
 * already) followed by its other values. One text column and one JSON.parse per record instead
 * of thirty-odd columns each turned into a JS value by the driver, and the receipt's fields
 * parsed in the same pass: at a million records a day the driver's per-column cost was a large
 * share of a run. Both backends build the same texts (SQLite `json_array`, PostgreSQL
 * `json_build_array`); SQL types carry over (TEXT → string, INTEGER/BIGINT → number, NULL → null).
 */
import type { HeldReceipt, MatchFields, StatementRow } from '../matcher/types.js';
import type { StatementLanguage, StatementTxn } from '../statement.js';
import type { PrintStatus } from '../../store/types.js';
import { TXN_COLUMNS } from './statement-files.js';
import type { PartReceipt, PartRow, PlanRowRecord } from './types.js';

/** Before the transaction's columns: id, date, the file's language and store, line. */
const ROW_HEAD = 5;

/** A statement row's values (`r.`, joined with its file `f.`), in the order partRowOf reads them. */
export const PART_ROW_VALUES = ['r.id', 'r.date', 'f.language', 'f.store', 'r.line', ...TXN_COLUMNS.map((c) => `r.${c}`)].join(', ');

/** A receipt's values after its fields (`x.` is receipt_fields), in the order partReceiptOf reads them. */
export const PART_RECEIPT_VALUES = 'x.id, x.store, x.device, x.terminal, x.printer, x.captured_at, x.local_date, x.print_status, x.print_reason';

/**
 * The receipt's text: `[fields, id, store, …]`, its fields spliced in as stored (no re-encoding);
 * `array` is the backend's JSON array of PART_RECEIPT_VALUES as text, whose `[` is cut off.
 */
export const partReceiptText = (array: string): string => `'[' || coalesce(x.fields, '{}') || ',' || substr(${array}, 2)`;

/** A row read back: null members are absent, as the importers leave them; `raw` is never read. */
export const partRowOf = (text: string): PartRow => partRowFrom(JSON.parse(text) as unknown[]);

/** The same from the row's values already parsed (a backend that reads a part as one JSON document). */
export function partRowFrom(v: readonly unknown[]): PartRow {
  const txn: Record<string, unknown> = { line: v[4] };
  for (let i = 0; i < TXN_COLUMNS.length; i++) {
    const x = v[ROW_HEAD + i];
    if (x !== null) txn[TXN_COLUMNS[i]!] = x;
  }
  // The row as read (`raw`) is evidence for people; the matcher never reads it.
  txn.raw = {};
  const store = v[3] as string | null;
  const row: StatementRow = {
    id: v[0] as string,
    language: v[2] as StatementLanguage,
    ...(store !== null ? { store } : {}),
    txn: txn as unknown as StatementTxn,
  };
  return { date: v[1] as string, row };
}

export const partReceiptOf = (text: string): PartReceipt => partReceiptFrom(JSON.parse(text) as unknown[]);

export function partReceiptFrom(v: readonly unknown[]): PartReceipt {
  const receipt: HeldReceipt = {
    id: v[1] as string,
    store: v[2] as string,
    device: v[3] as string,
    printer: v[5] as string,
    terminal: v[4] as string | null,
    captured_at: v[6] as string,
    print_status: v[8] as PrintStatus,
    print_reason: v[9] as string | null,
    fields: v[0] as MatchFields,
  };
  return { localDate: v[7] as string, receipt };
}

/** What the planner reads of a row's transaction, after id, date, the file's language and store. */
const PLAN_TXN = [
  'datetime',
  'source',
  'merchant_id',
  'terminal_id',
  'transaction_id',
  'merchant_order_no',
  'original_transaction_id',
  'receipt_no',
  'currency',
] as const satisfies ReadonlyArray<keyof PlanRowRecord['txn']>;

/** The planner's values of a row (`r.`, joined with its file `f.`), in the order planRowOf reads them. */
export const PLAN_ROW_VALUES = ['r.id', 'r.date', 'f.language', 'f.store', ...PLAN_TXN.map((c) => `r.${c}`)].join(', ');

export function planRowOf(text: string): PlanRowRecord {
  const v = JSON.parse(text) as unknown[];
  const txn: Record<string, unknown> = {};
  for (let i = 0; i < PLAN_TXN.length; i++) {
    const x = v[4 + i];
    if (x !== null) txn[PLAN_TXN[i]!] = x;
  }
  return {
    id: v[0] as string,
    date: v[1] as string,
    language: v[2] as StatementLanguage,
    store: v[3] as string | null,
    txn: txn as unknown as PlanRowRecord['txn'],
  };
}

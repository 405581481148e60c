/**
 * What makes a statement file the same file, or a corrected version of one: pure, shared by both
 * backends so that they recognise files alike.
 *
 * A file is *for* a source, a merchant, a store (a POS sales log is per store) and a span of
 * dates: its identity. The same bytes under the same identity are the same file ("already
 * imported"); other bytes under it are a corrected file, the next version, which replaces the
 * previous one's rows for matching. The file id is a hash of identity and content, so importing
 * the same file into an empty database twice gives the same row ids (`${fileId}:${line}`).
 */
import { createHash } from 'node:crypto';
import type { StatementTxn } from '../statement.js';
import type { NewStatementImport } from './types.js';

export function statementIdentity(f: NewStatementImport): string {
  const p = f.parsed;
  return [p.source, p.merchant_id ?? '', f.store ?? '', p.date_from, p.date_to].join('|');
}

export function statementFileId(identity: string, contentSha256: string): string {
  return `st${createHash('sha256').update(`${identity}\u0000${contentSha256}`).digest('hex').slice(0, 14)}`;
}

export const statementRowId = (fileId: string, line: number): string => `${fileId}:${line}`;

/**
 * The normalised columns of statement_rows after id, file_id, line, date (in this order), and the
 * StatementTxn members they hold. `raw` is kept as JSON beside them.
 */
export const TXN_COLUMNS = [
  'datetime',
  'source',
  'merchant_id',
  'terminal_id',
  'trans_type',
  'amount_minor',
  'currency',
  'fee_minor',
  'settle_minor',
  'card_number',
  'card_last4',
  'batch_no',
  'trace_no',
  'reference_no',
  'auth_code',
  'transaction_id',
  'merchant_order_no',
  'original_reference_no',
  'original_trace_no',
  'original_transaction_id',
  'refund_no',
  'merchant_refund_no',
  'payment_method',
  'receipt_no',
  'operator_id',
  'status',
] as const satisfies ReadonlyArray<keyof StatementTxn>;

export const STATEMENT_ROW_COLUMNS = ['id', 'file_id', 'line', 'date', ...TXN_COLUMNS, 'raw'] as const;

export type RowValue = string | number | null;

/** One row's values in STATEMENT_ROW_COLUMNS order. */
export function statementRowValues(fileId: string, t: StatementTxn): RowValue[] {
  const out: RowValue[] = [statementRowId(fileId, t.line), fileId, t.line, t.datetime.slice(0, 10)];
  for (const c of TXN_COLUMNS) out.push((t[c] as string | number | undefined) ?? null);
  out.push(JSON.stringify(t.raw));
  return out;
}

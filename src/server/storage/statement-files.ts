/**
 * What makes a statement file the same file, or a corrected version of one: pure, shared by both
 * backends so that they recognise files alike.
 *
 * A file is *for* a source, a merchant, a store (a POS sales log is per store) and a span of
 * dates: its identity. The same bytes under the same identity are the same file ("already
 * imported"); other bytes under it are a corrected file, the next version, which replaces the
 * previous one's rows for matching. The file id is a hash of content and identity (a file parsed
 * whole) or of content and what decides how the bytes read (a file read a slice at a time,
 * streamKey), so importing the same file into an empty database twice gives the same row ids
 * (`${fileId}:${line}`).
 */
import { createHash } from 'node:crypto';
import type { StatementHead, StatementTxn } from '../statement.js';
import type { NewStatementImport, NewStatementSlices } from './types.js';

type Identified = Pick<StatementHead, 'source' | 'merchant_id' | 'date_from' | 'date_to'>;

export function statementIdentity(head: Identified, store: string | null): string {
  return [head.source, head.merchant_id ?? '', store ?? '', head.date_from, head.date_to].join('|');
}

/** `key` is the identity (a file parsed whole) or what decides how the bytes read (a file read a slice at a time). */
export function statementFileId(key: string, contentSha256: string): string {
  return `st${createHash('sha256').update(`${key}\u0000${contentSha256}`).digest('hex').slice(0, 14)}`;
}

/**
 * The key of a file read a slice at a time: its identity is known only after its last row, but its
 * rows need their file's id as they are stored, so the id comes from what decides how the bytes
 * read (format, options, importer version: readKey) and the store, which with the bytes decide
 * the identity. Prefixed so that it never equals an identity.
 */
export const streamKey = (readKey: string, store: string | null): string => `read|${readKey}|${store ?? ''}`;

/** A file parsed whole as slices: its id from its identity, as before files were read a slice at a time. */
export function slicesOf(f: NewStatementImport, rowsAtOnce: number): NewStatementSlices {
  const p = f.parsed;
  const { rows, ...rest } = p;
  return {
    key: statementIdentity(p, f.store),
    source: p.source,
    format: p.format,
    encoding: p.encoding,
    contentSha256: p.content_sha256,
    store: f.store,
    name: f.name,
    importedAt: f.importedAt,
    importedBy: f.importedBy,
    *slices() {
      for (let i = 0; i < rows.length; i += rowsAtOnce) yield rows.slice(i, i + rowsAtOnce);
      return { ...rest, row_count: rows.length };
    },
  };
}

/** The values of a file's row before its identity is known (completed by fileHeadValues). */
export function pendingFileValues(id: string, f: NewStatementSlices): RowValue[] {
  return [
    id, `pending|${id}`, f.source, f.format, f.name, f.encoding, 'zh', null, f.store, '', '', f.contentSha256, 1, 0, null, f.importedAt, f.importedBy, null,
  ];
}

/** What the last row tells of a file: identity, language, merchant_id, date_from, date_to, version, row_count, summary. */
export function fileHeadValues(head: StatementHead, identity: string, version: number): RowValue[] {
  return [
    identity, head.language, head.merchant_id ?? null, head.date_from, head.date_to, version, head.row_count,
    head.summary ? JSON.stringify(head.summary) : null,
  ];
}

export const FILE_HEAD_COLUMNS = ['identity', 'language', 'merchant_id', 'date_from', 'date_to', 'version', 'row_count', 'summary'] as const;

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

/** One row as an object keyed by column (absent members are NULL): for a JSON bulk insert. */
export function statementRowObject(fileId: string, t: StatementTxn): object {
  return { ...t, id: statementRowId(fileId, t.line), file_id: fileId, date: t.datetime.slice(0, 10), raw: JSON.stringify(t.raw) };
}

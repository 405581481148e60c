/**
 * The one interface every statement format implements, and the finishing every parse shares:
 * the file's SHA-256, its date range, its merchant, and the refusal of a file without rows.
 */
import { createHash } from 'node:crypto';
import type { ParsedStatement, StatementLanguage, StatementSource, StatementTxn } from '../statement.js';
import { StatementError } from './errors.js';
import type { StatementMapping } from './mapping.js';
import type { FoundEncoding, TextEncodingOption } from './text.js';

export const STATEMENT_FORMATS = ['wechat', 'alipay', 'acquirer-csv', 'generic', 'sales-log'] as const;
export type StatementFormat = (typeof STATEMENT_FORMATS)[number];

export interface ImportOptions {
  /** The file's text encoding; `auto` (default) looks at the bytes (text.ts). */
  readonly encoding?: TextEncodingOption;
  /** ISO 4217 currency of amounts when the file does not say (default CNY). */
  readonly currency?: string;
  /** For `generic`: the validated column mapping (mapping.ts loadMapping / parseMapping). */
  readonly mapping?: StatementMapping;
}

export interface StatementImporter {
  readonly format: StatementFormat;
  readonly source: StatementSource;
  /** Pure: the same bytes and options give the same statement, or throw a StatementError. */
  parse(bytes: Uint8Array, options: ImportOptions): ParsedStatement;
}

/** `fields` without its undefined members: absent, as the receipt fields are. */
export function txn(fields: StatementTxn): StatementTxn {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out as unknown as StatementTxn;
}

export interface FinishInput {
  readonly format: StatementFormat;
  readonly source: StatementSource;
  readonly bytes: Uint8Array;
  readonly encoding: FoundEncoding;
  readonly language: StatementLanguage;
  readonly rows: readonly StatementTxn[];
  /** The merchant the file's own header block names, if it does. */
  readonly merchant_id?: string | undefined;
  readonly summary?: Readonly<Record<string, string>> | undefined;
}

export function finish(input: FinishInput): ParsedStatement {
  const { rows } = input;
  if (rows.length === 0) throw new StatementError('STATEMENT_NO_ROWS', 'the file holds no transactions');
  let from = rows[0]!.datetime.slice(0, 10);
  let to = from;
  const merchants = new Set<string | undefined>();
  for (const r of rows) {
    const day = r.datetime.slice(0, 10);
    if (day < from) from = day;
    if (day > to) to = day;
    merchants.add(r.merchant_id);
  }
  const single = merchants.size === 1 ? [...merchants][0] : undefined;
  const merchant = input.merchant_id ?? single;
  return {
    source: input.source,
    format: input.format,
    encoding: input.encoding,
    language: input.language,
    ...(merchant !== undefined ? { merchant_id: merchant } : {}),
    date_from: from,
    date_to: to,
    content_sha256: createHash('sha256').update(input.bytes).digest('hex'),
    rows,
    ...(input.summary && Object.keys(input.summary).length > 0 ? { summary: input.summary } : {}),
  };
}

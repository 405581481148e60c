/**
 * The one interface every statement format implements, and the finishing every reading shares:
 * the file's date range, its merchant, and the refusal of a file without rows.
 */
import type { StatementHead, StatementLanguage, StatementSource, StatementTxn } from '../statement.js';
import { StatementError } from './errors.js';
import type { DayOrder } from './datetime.js';
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

/** What a format reads after its rows: the file's own metadata. */
export interface ReaderEnd {
  readonly language: StatementLanguage;
  /** The merchant the file's own header block names, if it does. */
  readonly merchant_id?: string | undefined;
  readonly summary?: Readonly<Record<string, string>> | undefined;
}

/** The transactions of a file in file order, then (as the generator's return value) its metadata. */
export type StatementRows = Generator<StatementTxn, ReaderEnd, undefined>;

/**
 * How the table formats read dates with the year last (11/20/2026), which depends on every such
 * date of the file: `undefined` until known (a reader meeting one throws DayOrderNeeded), or the
 * order found by a reading with `scan` (which yields no rows and throws DayOrderFound).
 */
export type DayOrderOption = DayOrder | 'scan' | undefined;

export interface ReadOptions extends ImportOptions {
  readonly dayOrder?: DayOrderOption;
}

/** A year-last date met while the day order is not known: read the file once for it (DayOrderFound), then again. */
export class DayOrderNeeded extends Error {
  constructor() {
    super('the day order of year-last dates is decided by the whole file');
    this.name = 'DayOrderNeeded';
  }
}

/** The end of a reading with `dayOrder: 'scan'`: the file's day order. */
export class DayOrderFound extends Error {
  constructor(readonly order: DayOrder) {
    super(`day order ${order}`);
    this.name = 'DayOrderFound';
  }
}

export interface StatementImporter {
  readonly format: StatementFormat;
  readonly source: StatementSource;
  /**
   * Pure: the same text and options give the same rows, or throw a StatementError. `pieces` is the
   * decoded text with one line ending (normalizeLineEnds), read a piece at a time, never whole.
   */
  read(pieces: Iterable<string>, options: ReadOptions): StatementRows;
}

/** `fields` without its undefined members: absent, as the receipt fields are. */
export function txn(fields: StatementTxn): StatementTxn {
  const out: Record<string, unknown> = {};
  for (const k in fields) {
    const v = fields[k as keyof StatementTxn];
    if (v !== undefined) out[k] = v;
  }
  return out as unknown as StatementTxn;
}

/** The date range, merchant and count of the rows, kept as they pass. */
export class RowTally {
  private count = 0;
  private from = '';
  private to = '';
  private merchant: string | undefined;
  private mixed = false;

  add(r: StatementTxn): void {
    const day = r.datetime.slice(0, 10);
    if (this.count === 0) {
      this.from = day;
      this.to = day;
      this.merchant = r.merchant_id;
    } else {
      if (day < this.from) this.from = day;
      if (day > this.to) this.to = day;
      if (r.merchant_id !== this.merchant) this.mixed = true;
    }
    this.count++;
  }

  /** The file's head: its merchant is the one its header block names, else the one all its rows share. */
  head(input: { format: StatementFormat; source: StatementSource; encoding: FoundEncoding; sha256: string }, end: ReaderEnd): StatementHead {
    if (this.count === 0) throw new StatementError('STATEMENT_NO_ROWS', 'the file holds no transactions');
    const merchant = end.merchant_id ?? (this.mixed ? undefined : this.merchant);
    return {
      source: input.source,
      format: input.format,
      encoding: input.encoding,
      language: end.language,
      ...(merchant !== undefined ? { merchant_id: merchant } : {}),
      date_from: this.from,
      date_to: this.to,
      content_sha256: input.sha256,
      ...(end.summary && Object.keys(end.summary).length > 0 ? { summary: end.summary } : {}),
      row_count: this.count,
    };
  }
}

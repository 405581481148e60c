/**
 * Statement importers: one module per format behind one interface (importer.ts), each a pure
 * reading of the file's text, a piece at a time, into StatementTxn rows (src/server/statement.ts).
 * openStatement opens a file for reading a slice at a time (what importStatement stores);
 * parseStatement reads one whole.
 */
import { createHash } from 'node:crypto';
import type { ParsedStatement, StatementHead, StatementSource, StatementTxn } from '../statement.js';
import { acquirerImporter } from './acquirer.js';
import { alipayImporter } from './alipay.js';
import { CHUNK_BYTES, scanBytes, type ByteSource } from './bytes.js';
import type { DayOrder } from './datetime.js';
import { StatementError } from './errors.js';
import { genericEncoding, genericImporter } from './generic.js';
import {
  DayOrderFound,
  DayOrderNeeded,
  RowTally,
  STATEMENT_FORMATS,
  type ImportOptions,
  type ReaderEnd,
  type StatementFormat,
  type StatementImporter,
  type StatementRows,
} from './importer.js';
import { loadMapping, type StatementMapping } from './mapping.js';
import { normalizeLineEnds } from './records.js';
import { salesLogImporter } from './sales-log.js';
import { decodeSource, type FoundEncoding } from './text.js';
import { wechatImporter } from './wechat.js';

export { STATEMENT_ERRORS, STATEMENT_ERROR_CODES, StatementError, type StatementErrorCode } from './errors.js';
export { RowTally, STATEMENT_FORMATS, type ImportOptions, type ReaderEnd, type StatementFormat, type StatementImporter, type StatementRows } from './importer.js';
export { CHUNK_BYTES, type ByteSource } from './bytes.js';
export { compileMapping, loadMapping, mappingNames, parseMapping, type StatementMapping } from './mapping.js';
export { TEXT_ENCODINGS, type TextEncodingOption } from './text.js';
export { formatMinor, parseMinor } from './money.js';

export const IMPORTERS: Readonly<Record<StatementFormat, StatementImporter>> = {
  wechat: wechatImporter,
  alipay: alipayImporter,
  'acquirer-csv': acquirerImporter,
  generic: genericImporter,
  'sales-log': salesLogImporter,
};

export function isStatementFormat(name: string): name is StatementFormat {
  return (STATEMENT_FORMATS as readonly string[]).includes(name);
}

export interface ParseOptions extends Omit<ImportOptions, 'mapping'> {
  /** For `generic`: a loaded mapping, or `--mapping NAME|FILE` (read from disk here). */
  readonly mapping?: StatementMapping | string;
}

/**
 * A statement file opened for reading: what is known before its rows (the bytes' hash, the
 * encoding), and its rows, read afresh from the source at each call a chunk at a time.
 */
export interface StatementReading {
  readonly format: StatementFormat;
  readonly source: StatementSource;
  readonly encoding: FoundEncoding;
  readonly sha256: string;
  /** What decides how the bytes read besides the bytes themselves (format, options, mapping). */
  readonly readKey: string;
  /** The rows and then the file's metadata (ReaderEnd). `dayOrder` as DayOrderOption says. */
  rows(dayOrder?: DayOrder): StatementRows;
  /** The day order of the file's year-last dates (a reading of the whole date column). */
  dayOrder(): DayOrder;
  /** The file's head from the rows' tally and the reading's end. */
  head(tally: RowTally, end: ReaderEnd): StatementHead;
}

/** Bumped when a change to the importers may read the same bytes differently (it is part of the file id). */
const READ_VERSION = 2;

/**
 * Open `source` as a statement of `format` (as on the command line: wechat, alipay, acquirer-csv,
 * generic, sales-log). Reads the bytes once (hash, encoding); throws StatementError (stable
 * `code`, `line`, `column`, one-line `message`) on a format, mapping or encoding it cannot read.
 */
export function openStatement(format: string, source: ByteSource, options: ParseOptions = {}, chunkBytes = CHUNK_BYTES): StatementReading {
  if (!isStatementFormat(format)) {
    throw new StatementError('STATEMENT_UNKNOWN_FORMAT', `unknown statement format "${format}" (one of ${STATEMENT_FORMATS.join(', ')})`);
  }
  const { mapping, ...rest } = options;
  const loaded = typeof mapping === 'string' ? loadMapping(mapping) : mapping;
  const read: ImportOptions = { ...rest, ...(loaded ? { mapping: loaded } : {}) };
  const importer = IMPORTERS[format];
  if (format === 'generic' && !loaded) importer.read([], read);
  const scan = scanBytes(source, chunkBytes);
  const encodingOption = format === 'generic' ? genericEncoding(read) : read.encoding;
  // Decided (and a bad encoding refused) before any row is read.
  const { encoding } = decodeSource(source, scan, encodingOption, chunkBytes);
  const pieces = (): Iterable<string> => normalizeLineEnds(decodeSource(source, scan, encodingOption, chunkBytes).pieces);
  const readKey = [
    `v${READ_VERSION}`,
    format,
    encodingOption ?? 'auto',
    read.currency ?? '',
    loaded ? createHash('sha256').update(JSON.stringify(loaded.spec)).digest('hex') : '',
  ].join('|');
  return {
    format,
    source: importer.source,
    encoding,
    sha256: scan.sha256,
    readKey,
    rows: (dayOrder) => importer.read(pieces(), { ...read, dayOrder }),
    dayOrder() {
      try {
        const rows = importer.read(pieces(), { ...read, dayOrder: 'scan' });
        for (let next = rows.next(); !next.done; next = rows.next());
      } catch (err) {
        if (err instanceof DayOrderFound) return err.order;
        throw err;
      }
      return 'dmy';
    },
    head: (tally, end) => tally.head({ format, source: importer.source, encoding, sha256: scan.sha256 }, end),
  };
}

/**
 * Run `use` over the reading's rows (`rows()` reads them afresh: a retried transaction calls it
 * again); when they hold year-last dates whose order depends on the whole file (DayOrderNeeded),
 * find the order and run it again. `use` must leave nothing behind when it throws (a rolled-back
 * transaction).
 */
export async function withRows<T>(reading: StatementReading, use: (rows: () => StatementRows) => Promise<T>): Promise<T> {
  try {
    return await use(() => reading.rows());
  } catch (err) {
    if (!(err instanceof DayOrderNeeded)) throw err;
  }
  const order = reading.dayOrder();
  return use(() => reading.rows(order));
}

/** withRows for a `use` that runs to the end synchronously. */
export function withRowsSync<T>(reading: StatementReading, use: (rows: () => StatementRows) => T): T {
  try {
    return use(() => reading.rows());
  } catch (err) {
    if (!(err instanceof DayOrderNeeded)) throw err;
  }
  const order = reading.dayOrder();
  return use(() => reading.rows(order));
}

/**
 * The whole file at once: `format` as on the command line, the file's bytes, and options. Throws
 * StatementError (stable `code`, `line`, `column`, one-line `message`) on anything it cannot read
 * exactly. Storage reads files a slice at a time instead (openStatement).
 */
export function parseStatement(format: string, bytes: Uint8Array | ByteSource, options: ParseOptions = {}, chunkBytes = CHUNK_BYTES): ParsedStatement {
  const reading = openStatement(format, bytes, options, chunkBytes);
  return withRowsSync(reading, (read) => {
    const rows = read();
    const tally = new RowTally();
    const all: StatementTxn[] = [];
    let next = rows.next();
    for (; !next.done; next = rows.next()) {
      tally.add(next.value);
      all.push(next.value);
    }
    const { row_count: _count, ...head } = reading.head(tally, next.value);
    return { ...head, rows: all };
  });
}

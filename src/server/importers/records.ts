/**
 * Delimited text → records with the physical line each starts on, so that every later error can
 * name its line. csv-parse does the quoting (fields with commas, doubled quotes, line breaks
 * inside quotes); quotes inside an unquoted field are kept as text, because real exports put
 * them there (a product name 12" pizza) and a statement must not be refused for it.
 */
import { Parser, type Options as CsvOptions } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { StatementError } from './errors.js';

export interface TextRecord {
  /** 1-based line the record starts on. */
  readonly line: number;
  readonly cells: readonly string[];
}

interface CsvInfo {
  readonly lines: number;
}

export interface LineRange {
  /** First line to read (1-based); lines before it are skipped unparsed. */
  readonly fromLine?: number;
  /** Last line to read; a record running past it is left out. */
  readonly toLine?: number;
}

/** Every record of `text` (in `range`), blank lines dropped (their lines still count). */
export function readRecords(text: string, delimiter = ',', range: LineRange = {}): TextRecord[] {
  // One line ending: a statement saved on Windows ends lines with CRLF, some with a lone CR.
  const normal = text.replace(/\r\n?/g, '\n');
  let parsed: { record: string[]; info: CsvInfo }[];
  // csv-parse builds an Error (a stack trace, a deep copy of the record) for every record whose
  // length differs from the first record's, even with relax_column_count; nobody reads it. Tables
  // are read from their header line on (table.ts readTable) so that rows match the first record,
  // and the stack is not captured for the few that do not.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    parsed = parse(normal, {
      delimiter,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      ...(range.fromLine !== undefined && range.fromLine > 1 ? { from_line: range.fromLine } : {}),
      ...(range.toLine !== undefined ? { to_line: range.toLine } : {}),
    }) as unknown as { record: string[]; info: CsvInfo }[];
  } catch (err) {
    const e = err as { code?: string; lines?: number; message?: string };
    throw new StatementError('STATEMENT_CSV_SYNTAX', (e.message ?? String(err)).replace(/ at line \d+.*$/, ''), {
      ...(typeof e.lines === 'number' ? { line: e.lines } : {}),
    });
  } finally {
    Error.stackTraceLimit = limit;
  }
  const out: TextRecord[] = [];
  let end = (range.fromLine ?? 1) - 1;
  for (const { record, info } of parsed) {
    // csv-parse gives the line a record ends on; every line belongs to a record (blank lines
    // included, since they are not skipped), so a record starts right after the previous one.
    const line = end + 1;
    end = info.lines;
    if (record.every((c) => c.trim() === '')) continue;
    out.push({ line, cells: record });
  }
  return out;
}

/** One line ending: a statement saved on Windows ends lines with CRLF, some with a lone CR. A piece ending in CR waits for the next (a CRLF cut in two). */
export function* normalizeLineEnds(pieces: Iterable<string>): Generator<string> {
  let held = '';
  for (const piece of pieces) {
    let text = held + piece;
    held = '';
    if (text.endsWith('\r')) {
      held = '\r';
      text = text.slice(0, -1);
    }
    if (text !== '') yield text.replace(/\r\n?/g, '\n');
  }
  if (held) yield '\n';
}

/** csv-parse's parser core (what its stream and sync APIs both drive), driven here a piece at a time. */
interface CsvCore {
  parse(buf: Buffer | undefined, end: boolean, push: (record: string[]) => void, close: () => void): unknown;
}

function csvError(err: unknown, lineOffset: number): StatementError {
  const e = err as { lines?: number; message?: string };
  return new StatementError('STATEMENT_CSV_SYNTAX', (e.message ?? String(err)).replace(/ at line \d+.*$/, ''), {
    ...(typeof e.lines === 'number' ? { line: e.lines + lineOffset } : {}),
  });
}

/**
 * The records of normalised text (normalizeLineEnds) read a piece at a time, as readRecords reads
 * them: blank lines dropped, each record with the line it starts on. `firstLine` is the file line
 * the text starts on (a table read from its header line on).
 */
export function* streamRecords(pieces: Iterable<string>, delimiter = ',', firstLine = 1): Generator<TextRecord> {
  // Without csv-parse's `info` (an object per record): a record spans one line plus the line
  // breaks inside its quoted cells, which the cells keep (line endings are normalised to \n).
  const options: CsvOptions = { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: false };
  const core = (new Parser(options) as unknown as { api: CsvCore }).api;
  let end = firstLine - 1;
  let out: TextRecord[] = [];
  const push = (record: string[]): void => {
    const line = end + 1;
    end = line;
    let blank = true;
    for (const c of record) {
      for (let i = c.indexOf('\n'); i >= 0; i = c.indexOf('\n', i + 1)) end++;
      if (blank && c.trim() !== '') blank = false;
    }
    if (!blank) out.push({ line, cells: record });
  };
  const offset = firstLine - 1;
  const feed = (buf: Buffer | undefined, last: boolean): void => {
    // As readRecords: no stack traces for the records whose length differs from the first's.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let err: unknown;
    try {
      err = core.parse(buf, last, push, () => {});
    } catch (thrown) {
      err = thrown;
    } finally {
      Error.stackTraceLimit = limit;
    }
    if (err !== undefined) throw csvError(err, offset);
  };
  for (const piece of pieces) {
    feed(Buffer.from(piece, 'utf8'), false);
    if (out.length > 0) {
      yield* out;
      out = [];
    }
  }
  feed(undefined, true);
  yield* out;
}

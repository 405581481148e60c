/**
 * Delimited text → records with the physical line each starts on, so that every later error can
 * name its line. csv-parse does the quoting (fields with commas, doubled quotes, line breaks
 * inside quotes); quotes inside an unquoted field are kept as text, because real exports put
 * them there (a product name 12" pizza) and a statement must not be refused for it.
 */
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

/** Every record of `text`, blank lines dropped (their lines still count). */
export function readRecords(text: string, delimiter = ','): TextRecord[] {
  // One line ending: a statement saved on Windows ends lines with CRLF, some with a lone CR.
  const normal = text.replace(/\r\n?/g, '\n');
  let parsed: { record: string[]; info: CsvInfo }[];
  try {
    parsed = parse(normal, {
      delimiter,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
    }) as unknown as { record: string[]; info: CsvInfo }[];
  } catch (err) {
    const e = err as { code?: string; lines?: number; message?: string };
    throw new StatementError('STATEMENT_CSV_SYNTAX', (e.message ?? String(err)).replace(/ at line \d+.*$/, ''), {
      ...(typeof e.lines === 'number' ? { line: e.lines } : {}),
    });
  }
  const out: TextRecord[] = [];
  let end = 0;
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

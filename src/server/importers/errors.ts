/**
 * Every way a statement file can be refused, in one list. Codes are stable (the server's
 * `POST /api/v1/statements` answers with them and `tilltap import-statement` prints them); the
 * message says what was wrong, in words, and where: the line of the file (1-based, physical
 * lines, as a text editor counts them) and the column's header name.
 */
export const STATEMENT_ERRORS = {
  STATEMENT_UNKNOWN_FORMAT: 'no importer of that name',
  STATEMENT_EMPTY_FILE: 'the file is empty',
  STATEMENT_ENCODING: 'the bytes are not valid in the file\'s encoding',
  STATEMENT_CSV_SYNTAX: 'the file is not well-formed delimited text (an unclosed quote…)',
  STATEMENT_JSON_SYNTAX: 'the file is not valid JSON or not of the documented shape',
  STATEMENT_HEADER_NOT_FOUND: 'no header line naming the required columns',
  STATEMENT_MISSING_COLUMN: 'the header lacks a column the format requires',
  STATEMENT_DUPLICATE_COLUMN: 'two header columns mean the same field',
  STATEMENT_MISSING_VALUE: 'a required cell is empty',
  STATEMENT_BAD_AMOUNT: 'a cell is not an amount of money',
  STATEMENT_BAD_DATE: 'a cell is not a date or time',
  STATEMENT_BAD_TYPE: 'a transaction type the mapping does not know',
  STATEMENT_BAD_CURRENCY: 'a currency that is not an ISO 4217 code, number or name',
  STATEMENT_SIGN_MISMATCH: 'a negative amount on a row whose type moves money in',
  STATEMENT_BAD_SUMMARY: 'a summary line that cannot be read',
  STATEMENT_SUMMARY_MISMATCH: 'the file\'s own totals disagree with its rows',
  STATEMENT_NO_ROWS: 'the file holds no transactions',
  STATEMENT_BAD_MAPPING: 'the column-mapping file is missing or invalid',
} as const;

export type StatementErrorCode = keyof typeof STATEMENT_ERRORS;

export const STATEMENT_ERROR_CODES = Object.keys(STATEMENT_ERRORS) as StatementErrorCode[];

export interface StatementErrorWhere {
  /** 1-based physical line of the file (for a JSON array: the record's 1-based position). */
  readonly line?: number;
  /** The column's header name as the file prints it (a JSON key for JSON). */
  readonly column?: string;
}

export class StatementError extends Error {
  /** As fastify errors carry it: 400 for a bad request (format, mapping), 422 for a bad file. */
  readonly statusCode: 400 | 422;
  readonly line: number | undefined;
  readonly column: string | undefined;

  constructor(
    readonly code: StatementErrorCode,
    /** What is wrong, without the place (the message adds it). */
    readonly detail: string,
    where: StatementErrorWhere = {},
  ) {
    super(describe(detail, where));
    this.name = 'StatementError';
    this.statusCode = code === 'STATEMENT_UNKNOWN_FORMAT' || code === 'STATEMENT_BAD_MAPPING' ? 400 : 422;
    this.line = where.line;
    this.column = where.column;
  }

  toJSON(): { code: StatementErrorCode; message: string; line?: number; column?: string } {
    return {
      code: this.code,
      message: this.message,
      ...(this.line !== undefined ? { line: this.line } : {}),
      ...(this.column !== undefined ? { column: this.column } : {}),
    };
  }
}

function describe(detail: string, where: StatementErrorWhere): string {
  const at = [where.line !== undefined ? `line ${where.line}` : '', where.column !== undefined ? `column ${where.column}` : '']
    .filter(Boolean)
    .join(', ');
  return at ? `${at}: ${detail}` : detail;
}

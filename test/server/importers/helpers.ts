/** Shared by the importer tests: generated files written to a real temp dir and read back. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import type { GeneratedStatement } from '../../../scripts/gen/statements.js';
import { parseStatement, StatementError, type ParseOptions } from '../../../src/server/importers/index.js';
import type { StatementErrorCode } from '../../../src/server/importers/errors.js';
import type { ParsedStatement, StatementTxn } from '../../../src/server/statement.js';

let dir: string | undefined;
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Write the bytes to a file, read the file, parse it. */
export function importFile(format: string, name: string, bytes: Uint8Array, options: ParseOptions = {}): ParsedStatement {
  dir ??= mkdtempSync(join(tmpdir(), 'tilltap-import-'));
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return parseStatement(format, readFileSync(path), options);
}

/** A generated statement through its importer. */
export function importGenerated(g: GeneratedStatement, options: ParseOptions = {}): ParsedStatement {
  return importFile(g.format, g.name, g.bytes, { ...(g.mapping ? { mapping: g.mapping } : {}), ...options });
}

export const withoutRaw = (rows: readonly StatementTxn[]): Omit<StatementTxn, 'raw'>[] => rows.map(({ raw: _raw, ...r }) => r);

/** The generated file parses back to exactly the rows it was written from, with its metadata. */
export function expectRoundTrip(g: GeneratedStatement, options: ParseOptions = {}): ParsedStatement {
  const p = importGenerated(g, options);
  expect(withoutRaw(p.rows), g.name).toEqual(g.expected);
  expect(
    { format: p.format, encoding: p.encoding, language: p.language, merchant_id: p.merchant_id, date_from: p.date_from, date_to: p.date_to },
    g.name,
  ).toEqual({
    format: g.format,
    encoding: g.encoding,
    language: g.language,
    merchant_id: g.merchant_id,
    date_from: g.date_from,
    date_to: g.date_to,
  });
  expect(p.content_sha256).toBe(createHash('sha256').update(g.bytes).digest('hex'));
  return p;
}

/** `fn` throws a StatementError with this code (and line / column when given). */
export function expectStatementError(
  fn: () => unknown,
  want: { code: StatementErrorCode; line?: number; column?: string; message?: RegExp },
): StatementError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a StatementError').toBeInstanceOf(StatementError);
  const e = caught as StatementError;
  expect({ code: e.code, line: e.line, column: e.column }).toEqual({
    code: want.code,
    line: want.line ?? e.line,
    column: want.column ?? e.column,
  });
  if (want.line !== undefined) expect(e.message).toContain(`line ${want.line}`);
  if (want.column !== undefined) expect(e.message).toContain(want.column);
  if (want.message) expect(e.message).toMatch(want.message);
  return e;
}

/** Encode text the way a test file needs it. */
export const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

/**
 * Importing a statement file: parse it whole (the importers are pure and throw a StatementError
 * naming the line and column of the first fault), then store it in one transaction. Nothing is
 * stored unless every row was read. `tilltap import-statement` and `POST /api/v1/statements` call this.
 */
import { parseStatement, type ParseOptions } from '../importers/index.js';
import type { Storage, StatementImportResult } from '../storage/types.js';

export interface ImportRequest {
  /** wechat, alipay, acquirer-csv, generic, sales-log. */
  readonly format: string;
  readonly bytes: Uint8Array;
  readonly options?: ParseOptions;
  /** The store the file is for (a POS sales log); its rows then meet only that store's receipts. */
  readonly store?: string | null;
  /** The file's name, kept for people. */
  readonly name?: string | null;
  /** Who imported it. */
  readonly by?: string | null;
}

export async function importStatement(storage: Storage, req: ImportRequest): Promise<StatementImportResult> {
  const parsed = parseStatement(req.format, req.bytes, req.options ?? {});
  return storage.statements.import({
    parsed,
    store: req.store ?? null,
    name: req.name ?? null,
    importedAt: new Date().toISOString(),
    importedBy: req.by ?? null,
  });
}

/**
 * Importing a statement file: read a chunk at a time and stored a slice of rows at a time, all
 * in one transaction (the importers throw a StatementError naming the line and column of the
 * first fault, which rolls it all back). Nothing is stored unless every row was read; memory
 * holds a slice, never the file. `tilltap import-statement` and `POST /api/v1/statements` call this.
 */
import { CHUNK_BYTES, openStatement, RowTally, withRows, type ByteSource, type ParseOptions, type StatementRows } from '../importers/index.js';
import type { StatementHead, StatementTxn } from '../statement.js';
import { streamKey } from '../storage/statement-files.js';
import type { Storage, StatementImportResult } from '../storage/types.js';

/** Rows read before they are stored: a few MB of rows, whatever the size of the file. */
export const ROWS_PER_SLICE = 1_000;

interface ImportCommon {
  /** wechat, alipay, acquirer-csv, generic, sales-log. */
  readonly format: string;
  readonly options?: ParseOptions;
  /** The store the file is for (a POS sales log); its rows then meet only that store's receipts. */
  readonly store?: string | null;
  /** The file's name, kept for people. */
  readonly name?: string | null;
  /** Who imported it. */
  readonly by?: string | null;
  /** Read size (tests cut a file into odd pieces with it). */
  readonly chunkBytes?: number;
  /** Rows stored at a time. */
  readonly rowsPerSlice?: number;
}

/** The file's bytes in memory (an HTTP body), or a file read a chunk at a time. */
export type ImportRequest = ImportCommon & ({ readonly bytes: Uint8Array } | { readonly path: string });

/** The rows in slices of `size`, tallied, then the file's head. */
function* sliced(rows: StatementRows, size: number, head: (tally: RowTally, end: Parameters<RowTally['head']>[1]) => StatementHead) {
  const tally = new RowTally();
  let slice: StatementTxn[] = [];
  let next = rows.next();
  for (; !next.done; next = rows.next()) {
    tally.add(next.value);
    slice.push(next.value);
    if (slice.length >= size) {
      yield slice;
      slice = [];
    }
  }
  if (slice.length > 0) yield slice;
  return head(tally, next.value);
}

export async function importStatement(storage: Storage, req: ImportRequest): Promise<StatementImportResult> {
  const source: ByteSource = 'bytes' in req ? req.bytes : { path: req.path };
  const reading = openStatement(req.format, source, req.options ?? {}, req.chunkBytes ?? CHUNK_BYTES);
  const store = req.store ?? null;
  const importedAt = new Date().toISOString();
  const size = req.rowsPerSlice ?? ROWS_PER_SLICE;
  return withRows(reading, (rows) =>
    storage.statements.importSlices({
      key: streamKey(reading.readKey, store),
      source: reading.source,
      format: reading.format,
      encoding: reading.encoding,
      contentSha256: reading.sha256,
      store,
      name: req.name ?? null,
      importedAt,
      importedBy: req.by ?? null,
      slices: () => sliced(rows(), size, (tally, end) => reading.head(tally, end)),
    }),
  );
}

/** Imported statement files and their rows: a file whole or not at all, versions by identity. */
import type Database from 'better-sqlite3';
import {
  STATEMENT_FILE_COLUMNS,
  STATEMENT_FILE_ORDER,
  STATEMENT_ROW_SELECT,
  toStatementFile,
  toStatementRow,
  type StatementFileRow,
} from '../rows.js';
import {
  FILE_HEAD_COLUMNS,
  fileHeadValues,
  pendingFileValues,
  slicesOf,
  STATEMENT_ROW_COLUMNS,
  statementFileId,
  statementIdentity,
  statementRowValues,
  type RowValue,
} from '../statement-files.js';
import { bulkInsert } from './bulk.js';
import type {
  NewStatementImport,
  NewStatementSlices,
  StatementFileRecord,
  StatementImportResult,
  StatementRowRecord,
  StatementStorage,
} from '../types.js';

/** Statement rows inserted at a time when a file is parsed whole. */
const ROWS_AT_ONCE = 5_000;

/** SQLite's page cache during an import, in KiB (its default is 2 MB). */
const IMPORT_CACHE_KIB = 64 * 1024;

/** The file a slice-at-a-time import found held once its identity was known: thrown to roll back. */
class AlreadyHeld extends Error {
  constructor(readonly file: StatementFileRecord) {
    super('already imported');
  }
}

export class SqliteStatements implements StatementStorage {
  private readonly byHash;
  private readonly current;
  private readonly lastVersion;
  private readonly insertFile;
  private readonly completeFile;
  private readonly supersede;
  private readonly dropMatchReceipts;
  private readonly dropMatches;
  private readonly insertRows;
  private readonly byId;

  constructor(private readonly db: Database.Database) {
    this.byHash = db.prepare<[string, string], StatementFileRow>(
      `SELECT ${STATEMENT_FILE_COLUMNS} FROM statement_files WHERE identity = ? AND content_sha256 = ?`,
    );
    this.current = db.prepare<[string], StatementFileRow>(
      `SELECT ${STATEMENT_FILE_COLUMNS} FROM statement_files WHERE identity = ? AND superseded_by IS NULL`,
    );
    this.lastVersion = db.prepare<[string], { v: number | null }>('SELECT max(version) AS v FROM statement_files WHERE identity = ?');
    this.insertFile = db.prepare<RowValue[]>(
      `INSERT INTO statement_files (${STATEMENT_FILE_COLUMNS}) VALUES (${STATEMENT_FILE_COLUMNS.split(', ').map(() => '?').join(', ')})`,
    );
    this.completeFile = db.prepare<RowValue[]>(`UPDATE statement_files SET ${FILE_HEAD_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`);
    this.supersede = db.prepare<[string, string]>('UPDATE statement_files SET superseded_by = ? WHERE id = ?');
    // Its rows are matched no more: their matches go, and the receipts they held are free again.
    // By hand: foreign keys (and so their ON DELETE CASCADE) are off during an import.
    this.dropMatchReceipts = db.prepare<[string]>(
      'DELETE FROM match_receipts WHERE statement_row_id IN (SELECT id FROM statement_rows WHERE file_id = ?)',
    );
    this.dropMatches = db.prepare<[string]>('DELETE FROM matches WHERE statement_row_id IN (SELECT id FROM statement_rows WHERE file_id = ?)');
    this.insertRows = bulkInsert(db, 'INSERT INTO statement_rows', STATEMENT_ROW_COLUMNS);
    this.byId = db.prepare<[string], StatementFileRow>(`SELECT ${STATEMENT_FILE_COLUMNS} FROM statement_files WHERE id = ?`);
  }

  async import(f: NewStatementImport): Promise<StatementImportResult> {
    return this.importSlices(slicesOf(f, ROWS_AT_ONCE));
  }

  /**
   * One transaction, synchronous as better-sqlite3 is: the file's row first (its identity
   * pending), then its rows a slice at a time as they are read, then its identity, version and
   * counts. A file found held once its identity is known rolls everything back.
   */
  async importSlices(f: NewStatementSlices): Promise<StatementImportResult> {
    const id = statementFileId(f.key, f.contentSha256);
    const run = this.db.transaction((): StatementImportResult => {
      const same = this.byId.get(id);
      if (same) return { kind: 'already-imported', file: toStatementFile(same) };
      this.insertFile.run(...pendingFileValues(id, f));
      const slices = f.slices();
      let next = slices.next();
      for (; !next.done; next = slices.next()) this.insertRows(next.value.map((t) => statementRowValues(id, t)));
      const head = next.value;
      const identity = statementIdentity(head, f.store);
      const held = this.byHash.get(identity, f.contentSha256);
      if (held) throw new AlreadyHeld(toStatementFile(held));
      const previous = this.current.get(identity);
      const version = (this.lastVersion.get(identity)?.v ?? 0) + 1;
      this.completeFile.run(...fileHeadValues(head, identity, version), id);
      if (previous) {
        this.dropMatchReceipts.run(previous.id);
        this.dropMatches.run(previous.id);
        this.supersede.run(id, previous.id);
      }
      return {
        kind: 'imported',
        file: toStatementFile(this.byId.get(id)!),
        supersedes: previous ? toStatementFile(this.byId.get(previous.id)!) : null,
      };
    });
    // Foreign keys unchecked for the import (the pragma only takes effect outside a transaction):
    // its rows reference the file row it has just written, so the check could only pass (the
    // one cascade, from a superseded file's matches to their receipts, is done by hand). A
    // bigger page cache: a large file's row ids land all over the primary key's B-tree.
    const cache = this.db.pragma('cache_size', { simple: true }) as number;
    this.db.pragma('foreign_keys = OFF');
    this.db.pragma(`cache_size = -${IMPORT_CACHE_KIB}`);
    try {
      return run.immediate();
    } catch (err) {
      if (err instanceof AlreadyHeld) return { kind: 'already-imported', file: err.file };
      throw err;
    } finally {
      this.db.pragma('foreign_keys = ON');
      this.db.pragma(`cache_size = ${cache}`);
    }
  }

  async files(filter: { readonly includeSuperseded?: boolean } = {}): Promise<StatementFileRecord[]> {
    const where = filter.includeSuperseded ? '' : ' WHERE superseded_by IS NULL';
    return this.db
      .prepare<[], StatementFileRow>(`SELECT ${STATEMENT_FILE_COLUMNS} FROM statement_files${where} ORDER BY ${STATEMENT_FILE_ORDER}`)
      .all()
      .map(toStatementFile);
  }

  async rows(fileId: string): Promise<StatementRowRecord[]> {
    return this.db
      .prepare<[string], Record<string, unknown>>(
        `SELECT ${STATEMENT_ROW_SELECT} FROM statement_rows r JOIN statement_files f ON f.id = r.file_id WHERE r.file_id = ? ORDER BY r.line`,
      )
      .all(fileId)
      .map(toStatementRow);
  }

  async dates(): Promise<string[]> {
    return this.db
      .prepare<[], { date: string }>(
        `SELECT DISTINCT r.date FROM statement_rows r JOIN statement_files f ON f.id = r.file_id WHERE f.superseded_by IS NULL ORDER BY r.date`,
      )
      .all()
      .map((r) => r.date);
  }
}

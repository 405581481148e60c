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
import { STATEMENT_ROW_COLUMNS, statementFileId, statementIdentity, statementRowValues, type RowValue } from '../statement-files.js';
import { bulkInsert } from './bulk.js';
import type { NewStatementImport, StatementFileRecord, StatementImportResult, StatementRowRecord, StatementStorage } from '../types.js';

/** Statement rows turned into values and inserted at a time. */
const ROWS_AT_ONCE = 10_000;

export class SqliteStatements implements StatementStorage {
  private readonly byHash;
  private readonly current;
  private readonly lastVersion;
  private readonly insertFile;
  private readonly supersede;
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
    this.supersede = db.prepare<[string, string]>('UPDATE statement_files SET superseded_by = ? WHERE id = ?');
    // Its rows are matched no more: their matches go, and the receipts they held are free again.
    this.dropMatches = db.prepare<[string]>('DELETE FROM matches WHERE statement_row_id IN (SELECT id FROM statement_rows WHERE file_id = ?)');
    this.insertRows = bulkInsert(db, 'INSERT INTO statement_rows', STATEMENT_ROW_COLUMNS);
    this.byId = db.prepare<[string], StatementFileRow>(`SELECT ${STATEMENT_FILE_COLUMNS} FROM statement_files WHERE id = ?`);
  }

  async import(f: NewStatementImport): Promise<StatementImportResult> {
    const p = f.parsed;
    const identity = statementIdentity(f);
    const run = this.db.transaction((): StatementImportResult => {
      const held = this.byHash.get(identity, p.content_sha256);
      if (held) return { kind: 'already-imported', file: toStatementFile(held) };
      const previous = this.current.get(identity);
      const version = (this.lastVersion.get(identity)?.v ?? 0) + 1;
      const id = statementFileId(identity, p.content_sha256);
      this.insertFile.run(
        id, identity, p.source, p.format, f.name, p.encoding, p.language, p.merchant_id ?? null, f.store, p.date_from, p.date_to,
        p.content_sha256, version, p.rows.length, p.summary ? JSON.stringify(p.summary) : null, f.importedAt, f.importedBy, null,
      );
      // A slice at a time: a million rows' values at once would be a second copy of the file in memory.
      for (let i = 0; i < p.rows.length; i += ROWS_AT_ONCE) this.insertRows(p.rows.slice(i, i + ROWS_AT_ONCE).map((t) => statementRowValues(id, t)));
      if (previous) {
        this.dropMatches.run(previous.id);
        this.supersede.run(id, previous.id);
      }
      return {
        kind: 'imported',
        file: toStatementFile(this.byId.get(id)!),
        supersedes: previous ? toStatementFile(this.byId.get(previous.id)!) : null,
      };
    });
    return run.immediate();
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

/** Imported statement files and their rows: a file whole or not at all, versions by identity. */
import type pg from 'pg';
import {
  STATEMENT_FILE_COLUMNS,
  STATEMENT_FILE_ORDER,
  STATEMENT_ROW_SELECT,
  toStatementFile,
  toStatementRow,
  type StatementFileRow,
} from '../rows.js';
import { STATEMENT_ROW_COLUMNS, statementFileId, statementIdentity, statementRowValues } from '../statement-files.js';
import type { NewStatementImport, StatementFileRecord, StatementImportResult, StatementRowRecord, StatementStorage } from '../types.js';
import { insertColumns, insertMany } from './bulk.js';
import { transaction } from './pool.js';

const FILE_COLUMNS = STATEMENT_FILE_COLUMNS.split(', ');

/** Statement rows turned into values and inserted at a time. */
const ROWS_AT_ONCE = 20_000;

export class PgStatements implements StatementStorage {
  constructor(private readonly pool: pg.Pool) {}

  async import(f: NewStatementImport): Promise<StatementImportResult> {
    const p = f.parsed;
    const identity = statementIdentity(f);
    return transaction(
      this.pool,
      async (client) => {
        // Two imports of one identity at once queue here: the second sees the first's file.
        await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('tilltap.statement:' || $1, 0))`, [identity]);
        const held = await client.query<StatementFileRow>(
          `SELECT ${STATEMENT_FILE_COLUMNS} FROM statement_files WHERE identity = $1 AND content_sha256 = $2`,
          [identity, p.content_sha256],
        );
        if (held.rows[0]) return { kind: 'already-imported', file: toStatementFile(held.rows[0]) };
        const previous = (
          await client.query<StatementFileRow>(`SELECT ${STATEMENT_FILE_COLUMNS} FROM statement_files WHERE identity = $1 AND superseded_by IS NULL`, [identity])
        ).rows[0];
        const last = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM statement_files WHERE identity = $1', [identity]);
        const version = (last.rows[0]?.v ?? 0) + 1;
        const id = statementFileId(identity, p.content_sha256);
        await insertMany(client, 'INSERT INTO statement_files', FILE_COLUMNS, [
          [
            id, identity, p.source, p.format, f.name, p.encoding, p.language, p.merchant_id ?? null, f.store, p.date_from, p.date_to,
            p.content_sha256, version, p.rows.length, p.summary ? JSON.stringify(p.summary) : null, f.importedAt, f.importedBy, null,
          ],
        ]);
        // A slice at a time: a million rows' values at once would be a second copy of the file in memory.
        for (let i = 0; i < p.rows.length; i += ROWS_AT_ONCE) {
          await insertColumns(client, 'statement_rows', STATEMENT_ROW_COLUMNS, p.rows.slice(i, i + ROWS_AT_ONCE).map((t) => statementRowValues(id, t)));
        }
        if (previous) {
          // Its rows are matched no more: their matches go, and the receipts they held are free again.
          await client.query('DELETE FROM matches WHERE statement_row_id IN (SELECT id FROM statement_rows WHERE file_id = $1)', [previous.id]);
          await client.query('UPDATE statement_files SET superseded_by = $1 WHERE id = $2', [id, previous.id]);
        }
        const byId = async (fid: string): Promise<StatementFileRecord> =>
          toStatementFile((await client.query<StatementFileRow>(`SELECT ${STATEMENT_FILE_COLUMNS} FROM statement_files WHERE id = $1`, [fid])).rows[0]!);
        return { kind: 'imported', file: await byId(id), supersedes: previous ? await byId(previous.id) : null };
      },
      { attempts: 3 },
    );
  }

  async files(filter: { readonly includeSuperseded?: boolean } = {}): Promise<StatementFileRecord[]> {
    const where = filter.includeSuperseded ? '' : ' WHERE superseded_by IS NULL';
    const r = await this.pool.query<StatementFileRow>(`SELECT ${STATEMENT_FILE_COLUMNS} FROM statement_files${where} ORDER BY ${STATEMENT_FILE_ORDER}`);
    return r.rows.map(toStatementFile);
  }

  async rows(fileId: string): Promise<StatementRowRecord[]> {
    const r = await this.pool.query<Record<string, unknown>>(
      `SELECT ${STATEMENT_ROW_SELECT} FROM statement_rows r JOIN statement_files f ON f.id = r.file_id WHERE r.file_id = $1 ORDER BY r.line`,
      [fileId],
    );
    return r.rows.map(toStatementRow);
  }

  async dates(): Promise<string[]> {
    const r = await this.pool.query<{ date: string }>(
      'SELECT DISTINCT r.date FROM statement_rows r JOIN statement_files f ON f.id = r.file_id WHERE f.superseded_by IS NULL ORDER BY r.date',
    );
    return r.rows.map((x) => x.date);
  }
}

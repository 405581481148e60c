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
import {
  FILE_HEAD_COLUMNS,
  fileHeadValues,
  pendingFileValues,
  slicesOf,
  STATEMENT_ROW_COLUMNS,
  statementFileId,
  statementIdentity,
  statementRowObject,
} from '../statement-files.js';
import type {
  NewStatementImport,
  NewStatementSlices,
  StatementFileRecord,
  StatementImportResult,
  StatementRowRecord,
  StatementStorage,
} from '../types.js';
import { insertJson, insertMany } from './bulk.js';
import { transaction } from './pool.js';

const FILE_COLUMNS = STATEMENT_FILE_COLUMNS.split(', ');

/** Statement rows inserted at a time when a file is parsed whole. */
const ROWS_AT_ONCE = 5_000;

/** The file a slice-at-a-time import found held once its identity was known: thrown to roll back. */
class AlreadyHeld extends Error {
  constructor(readonly file: StatementFileRecord) {
    super('already imported');
  }
}

const lockKey = (key: string): string => `tilltap.statement:${key}`;

export class PgStatements implements StatementStorage {
  constructor(private readonly pool: pg.Pool) {}

  async import(f: NewStatementImport): Promise<StatementImportResult> {
    return this.importSlices(slicesOf(f, ROWS_AT_ONCE));
  }

  /**
   * One transaction: the file's row first (its identity pending), then its rows a slice at a time
   * as they are read — the next slice is read while the database stores the last — then its
   * identity, version and counts. A file found held once its identity is known rolls it all back.
   */
  async importSlices(f: NewStatementSlices): Promise<StatementImportResult> {
    const id = statementFileId(f.key, f.contentSha256);
    const byId = async (client: pg.PoolClient, fid: string): Promise<StatementFileRow | undefined> =>
      (await client.query<StatementFileRow>(`SELECT ${STATEMENT_FILE_COLUMNS} FROM statement_files WHERE id = $1`, [fid])).rows[0];
    try {
      return await transaction(
        this.pool,
        async (client): Promise<StatementImportResult> => {
          // Two imports of the same bytes at once queue here: the second sees the first's file.
          await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [lockKey(id)]);
          const same = await byId(client, id);
          if (same) return { kind: 'already-imported', file: toStatementFile(same) };
          await insertMany(client, 'INSERT INTO statement_files', FILE_COLUMNS, [pendingFileValues(id, f)]);
          const slices = f.slices();
          let inflight: Promise<unknown> | undefined;
          let next = slices.next();
          try {
            for (; !next.done; next = slices.next()) {
              const stored = insertJson(client, 'statement_rows', STATEMENT_ROW_COLUMNS, next.value.map((t) => statementRowObject(id, t)));
              // Handled when awaited; until then a failure must not count as unhandled.
              stored.catch(() => undefined);
              if (inflight) await inflight;
              inflight = stored;
            }
          } finally {
            // Whatever happened, the last slice's statement is done before the transaction ends.
            await inflight?.catch(() => undefined);
          }
          await inflight;
          const head = next.value;
          const identity = statementIdentity(head, f.store);
          // Two versions of one file at once queue here: the second sees the first's version.
          await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [lockKey(identity)]);
          const held = await client.query<StatementFileRow>(
            `SELECT ${STATEMENT_FILE_COLUMNS} FROM statement_files WHERE identity = $1 AND content_sha256 = $2`,
            [identity, f.contentSha256],
          );
          if (held.rows[0]) throw new AlreadyHeld(toStatementFile(held.rows[0]));
          const previous = (
            await client.query<StatementFileRow>(`SELECT ${STATEMENT_FILE_COLUMNS} FROM statement_files WHERE identity = $1 AND superseded_by IS NULL`, [
              identity,
            ])
          ).rows[0];
          const last = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM statement_files WHERE identity = $1', [identity]);
          const version = (last.rows[0]?.v ?? 0) + 1;
          await client.query(`UPDATE statement_files SET ${FILE_HEAD_COLUMNS.map((c, i) => `${c} = $${i + 1}`).join(', ')} WHERE id = $${FILE_HEAD_COLUMNS.length + 1}`, [
            ...fileHeadValues(head, identity, version),
            id,
          ]);
          if (previous) {
            // Its rows are matched no more: their matches go, and the receipts they held are free again.
            await client.query('DELETE FROM matches WHERE statement_row_id IN (SELECT id FROM statement_rows WHERE file_id = $1)', [previous.id]);
            await client.query('UPDATE statement_files SET superseded_by = $1 WHERE id = $2', [id, previous.id]);
          }
          return {
            kind: 'imported',
            file: toStatementFile((await byId(client, id))!),
            supersedes: previous ? toStatementFile((await byId(client, previous.id))!) : null,
          };
        },
        { attempts: 3 },
      );
    } catch (err) {
      if (err instanceof AlreadyHeld) return { kind: 'already-imported', file: err.file };
      throw err;
    }
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

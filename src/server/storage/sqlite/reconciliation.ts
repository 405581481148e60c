/**
 * Matches, discrepancies and decisions. A day's run is saved in one transaction; the primary keys
 * of `matches` (a statement row) and `match_receipts` (a receipt) refuse anything matched twice.
 */
import type Database from 'better-sqlite3';
import {
  DECISION_COLUMNS,
  DISCREPANCY_COLUMNS,
  DISCREPANCY_FROM,
  DISCREPANCY_ORDER,
  DISCREPANCY_SELECT,
  discrepancyValues,
  HEALTH_COLUMNS,
  HEALTH_ORDER,
  MATCH_COLUMNS,
  matchValues,
  MATCH_RECEIPT_COLUMNS,
  MATCH_ROW_SELECT,
  toDecision,
  toDiscrepancy,
  toHealth,
  toMatch,
  toMatchReceipt,
  toMatchStatement,
  whereEqual,
  discrepancyWhere,
  type DecisionRow,
  type DiscrepancyRow,
  type HealthRow,
  type MatchRow,
  type MatchReceiptRow,
} from '../rows.js';
import type {
  DayInParts,
  DecisionRecord,
  DiscrepancyFilter,
  DiscrepancyRecord,
  MatchInputQuery,
  MatchRecord,
  PlanReceiptRecord,
  ReconciliationStorage,
  StoredMatchInput,
  StoredRun,
} from '../types.js';
import { PART_RECEIPT_VALUES, PART_ROW_VALUES, partReceiptOf, partReceiptText, partRowOf, PLAN_ROW_VALUES, planRowOf } from '../part-json.js';
import { bulkInsert } from './bulk.js';

/** Rows or receipts a plan read hands over at a time. */
const PLAN_BATCH = 10_000;

/** SQLite's page cache during a day's run, KiB. */
const RUN_CACHE_KIB = 128 * 1024;

const UPDATE_ALL = DISCREPANCY_COLUMNS.split(', ')
  .filter((c) => c !== 'key')
  .map((c) => `${c} = excluded.${c}`)
  .join(', ');

export class SqliteReconciliation implements ReconciliationStorage {
  private readonly rowsOf;
  private readonly receiptsOf;
  private readonly healthOf;
  private readonly decisionsOf;
  private readonly clearMatches;
  private readonly clearDiscrepancies;
  private readonly byKey;
  private readonly upsertDecision;
  private readonly insertMatches;
  private readonly insertMatchReceipts;
  private readonly stageMatches;
  private readonly stageMatchReceipts;
  private readonly writeStaged;
  private readonly writeStagedReceipts;
  private readonly clearStaged;
  private readonly clearStagedReceipts;
  private readonly upsertDiscrepancies;
  private readonly planReceiptsOf;
  private readonly partRows;
  private readonly planRowsOf;
  private readonly clearMatchReceipts;
  private readonly partReceipts;

  constructor(private readonly db: Database.Database) {
    // Rows and receipts another day's run matched are settled: that run keeps them.
    this.rowsOf = db.prepare<[string, string, string], Record<string, unknown>>(
      `SELECT ${MATCH_ROW_SELECT} FROM statement_rows r JOIN statement_files f ON f.id = r.file_id
       WHERE r.date BETWEEN ? AND ? AND f.superseded_by IS NULL
         AND NOT EXISTS (SELECT 1 FROM matches m WHERE m.statement_row_id = r.id AND m.date <> ?)`,
    );
    this.receiptsOf = db.prepare<[string, string, string], MatchReceiptRow>(
      `SELECT ${MATCH_RECEIPT_COLUMNS} FROM receipt_fields x WHERE x.local_date BETWEEN ? AND ?
         AND NOT EXISTS (SELECT 1 FROM match_receipts mr JOIN matches m ON m.statement_row_id = mr.statement_row_id
                         WHERE mr.receipt_id = x.id AND m.date <> ?)`,
    );
    // The window's events, and each condition's last event before it (a paper end reported the
    // evening before is still in force in the morning).
    this.healthOf = db.prepare<[number, number, number, number], HealthRow>(
      `SELECT ${HEALTH_COLUMNS} FROM health_events WHERE at_ms >= ? AND at_ms < ?
       UNION ALL
       SELECT ${HEALTH_COLUMNS} FROM health_events h WHERE h.at_ms < ?
         AND h.at_ms = (SELECT max(h2.at_ms) FROM health_events h2
                        WHERE h2.store = h.store AND h2.printer = h.printer AND h2.kind = h.kind AND h2.at_ms < ?)
       ORDER BY ${HEALTH_ORDER}`,
    );
    this.planReceiptsOf = db.prepare<[string, string, string], PlanReceiptRecord>(
      `SELECT x.store, x.fields FROM receipt_fields x WHERE x.local_date BETWEEN ? AND ?
         AND NOT EXISTS (SELECT 1 FROM match_receipts mr JOIN matches m ON m.statement_row_id = mr.statement_row_id
                         WHERE mr.receipt_id = x.id AND m.date <> ?)`,
    );
    // A part's rows by id (the plan chose them, in this transaction) and its stores' receipts.
    // Each as one JSON text (part-json.ts).
    this.partRows = db
      .prepare<[string], string>(
        `SELECT json_array(${PART_ROW_VALUES}) FROM statement_rows r JOIN statement_files f ON f.id = r.file_id
         WHERE r.id IN (SELECT value FROM json_each(?))`,
      )
      .pluck(true);
    this.planRowsOf = db
      .prepare<[string, string, string], string>(
        `SELECT json_array(${PLAN_ROW_VALUES}) FROM statement_rows r JOIN statement_files f ON f.id = r.file_id
         WHERE r.date BETWEEN ? AND ? AND f.superseded_by IS NULL
           AND NOT EXISTS (SELECT 1 FROM matches m WHERE m.statement_row_id = r.id AND m.date <> ?)`,
      )
      .pluck(true);
    this.clearMatchReceipts = db.prepare<[string]>(
      'DELETE FROM match_receipts WHERE statement_row_id IN (SELECT statement_row_id FROM matches WHERE date = ?)',
    );
    this.partReceipts = db
      .prepare<[string, string, string, string], string>(
        `SELECT ${partReceiptText(`json_array(${PART_RECEIPT_VALUES})`)} FROM receipt_fields x
         WHERE x.store IN (SELECT value FROM json_each(?)) AND x.local_date BETWEEN ? AND ?
           AND NOT EXISTS (SELECT 1 FROM match_receipts mr JOIN matches m ON m.statement_row_id = mr.statement_row_id
                           WHERE mr.receipt_id = x.id AND m.date <> ?)`,
      )
      .pluck(true);
    this.decisionsOf = db.prepare<[string], DecisionRow>(`SELECT ${DECISION_COLUMNS} FROM discrepancy_decisions WHERE date = ?`);
    this.clearMatches = db.prepare<[string]>('DELETE FROM matches WHERE date = ?');
    this.clearDiscrepancies = db.prepare<[string]>('DELETE FROM discrepancies WHERE date = ?');
    this.byKey = db.prepare<[string], DiscrepancyRow>(`SELECT ${DISCREPANCY_SELECT} FROM ${DISCREPANCY_FROM} WHERE d.key = ?`);
    this.upsertDecision = db.prepare<[string, string, string, string, string, string]>(
      `INSERT INTO discrepancy_decisions (key, date, status, decided_by, decided_at, reason) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET date = excluded.date, status = excluded.status, decided_by = excluded.decided_by,
         decided_at = excluded.decided_at, reason = excluded.reason`,
    );
    this.insertMatches = bulkInsert(db, 'INSERT INTO matches', MATCH_COLUMNS.split(', '));
    this.insertMatchReceipts = bulkInsert(db, 'INSERT INTO match_receipts', ['receipt_id', 'statement_row_id']);
    // A day in parts stages its matches here, this connection's own (TEMP) tables with no keys,
    // and writes them into matches and match_receipts at its end, in key order over the whole day:
    // written part by part, each part's keys landed all over B-trees larger than the page cache,
    // most of a run's saving at a million rows. The keys are checked then, in the same transaction.
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS run_matches AS SELECT ${MATCH_COLUMNS} FROM main.matches WHERE 0;
             CREATE TEMP TABLE IF NOT EXISTS run_match_receipts AS SELECT receipt_id, statement_row_id FROM main.match_receipts WHERE 0`);
    this.stageMatches = bulkInsert(db, 'INSERT INTO temp.run_matches', MATCH_COLUMNS.split(', '));
    this.stageMatchReceipts = bulkInsert(db, 'INSERT INTO temp.run_match_receipts', ['receipt_id', 'statement_row_id']);
    this.writeStaged = db.prepare(`INSERT INTO main.matches (${MATCH_COLUMNS}) SELECT ${MATCH_COLUMNS} FROM temp.run_matches ORDER BY statement_row_id`);
    this.writeStagedReceipts = db.prepare(
      'INSERT INTO main.match_receipts (receipt_id, statement_row_id) SELECT receipt_id, statement_row_id FROM temp.run_match_receipts ORDER BY receipt_id',
    );
    this.clearStaged = db.prepare('DELETE FROM temp.run_matches');
    this.clearStagedReceipts = db.prepare('DELETE FROM temp.run_match_receipts');
    // A key found again (an ambiguous cluster across midnight, seen from both days) takes the latest run's facts.
    this.upsertDiscrepancies = bulkInsert(db, 'INSERT INTO discrepancies', DISCREPANCY_COLUMNS.split(', '), `ON CONFLICT (key) DO UPDATE SET ${UPDATE_ALL}`);
  }

  async input(q: MatchInputQuery): Promise<StoredMatchInput> {
    // One read transaction: the four reads see one state of the database.
    return this.db.transaction(() => ({
      rows: this.rowsOf.all(q.from, q.to, q.day).map(toMatchStatement),
      receipts: this.receiptsOf.all(q.from, q.to, q.day).map(toMatchReceipt),
      health: this.healthOf.all(q.fromMs, q.toMs, q.fromMs, q.fromMs).map(toHealth),
      decisions: this.decisionsOf.all(q.day).map(toDecision),
    }))();
  }

  /**
   * BEGIN IMMEDIATE … COMMIT around `work`. better-sqlite3 is synchronous: every call below returns
   * a settled promise, so `work` (the run: these calls and the matcher) never yields to the event
   * loop, and no other request's statements can land inside this transaction.
   */
  async inParts<T>(q: MatchInputQuery, work: (day: DayInParts) => Promise<T>): Promise<T> {
    const batches = <R>(it: IterableIterator<R>, each: (batch: readonly R[]) => void): void => {
      let batch: R[] = [];
      for (const r of it) {
        batch.push(r);
        if (batch.length === PLAN_BATCH) {
          each(batch);
          batch = [];
        }
      }
      if (batch.length) each(batch);
    };
    const day: DayInParts = {
      planRows: async (each) => batches(this.planRowsOf.iterate(q.from, q.to, q.day), (b) => each(b.map(planRowOf))),
      planReceipts: async (each) => batches(this.planReceiptsOf.iterate(q.from, q.to, q.day), each),
      health: async () => this.healthOf.all(q.fromMs, q.toMs, q.fromMs, q.fromMs).map(toHealth),
      decisions: async () => this.decisionsOf.all(q.day).map(toDecision),
      part: async (stores, rowIds) => {
        // Read when the run waits for it, not when it asks: the run asks for the next part before
        // it matches this one (PostgreSQL reads it meanwhile), and here that would only hold two
        // parts in memory at once.
        await undefined;
        return {
          rows: this.partRows.all(JSON.stringify(rowIds)).map(partRowOf),
          receipts: this.partReceipts.all(JSON.stringify(stores), q.from, q.to, q.day).map(partReceiptOf),
        };
      },
      saveMatches: async (matches) => {
        this.stageMatches(matches.map(matchValues));
        this.stageMatchReceipts(matches.flatMap((m) => m.receiptIds.map((id) => [id, m.statementRowId])));
      },
      saveDiscrepancies: async (list) => this.upsertDiscrepancies(list.map(discrepancyValues)),
    };
    // Foreign keys unchecked for the run (the pragma only takes effect outside a transaction):
    // every row and receipt it links was read in this transaction, so the checks could only
    // pass, and they were half the cost of writing a day's matches. The primary keys, which
    // refuse a row or a receipt matched twice, stay. The cascade from matches to match_receipts
    // is done by hand below.
    this.db.pragma('foreign_keys = OFF');
    // A bigger page cache for the run: at a million rows its reads by id and its inserts into
    // the match tables land all over B-trees far larger than SQLite's default 2 MB cache.
    const cache = this.db.pragma('cache_size', { simple: true }) as number;
    this.db.pragma(`cache_size = -${RUN_CACHE_KIB}`);
    this.db.exec('BEGIN IMMEDIATE');
    try {
      this.clearMatchReceipts.run(q.day);
      this.clearMatches.run(q.day);
      this.clearDiscrepancies.run(q.day);
      this.clearStaged.run();
      this.clearStagedReceipts.run();
      const out = await work(day);
      this.writeStaged.run();
      this.writeStagedReceipts.run();
      this.clearStaged.run();
      this.clearStagedReceipts.run();
      this.db.exec('COMMIT');
      return out;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    } finally {
      this.db.pragma('foreign_keys = ON');
      this.db.pragma(`cache_size = ${cache}`);
    }
  }

  async save(run: StoredRun): Promise<void> {
    this.db
      .transaction(() => {
        this.clearMatches.run(run.day);
        this.clearDiscrepancies.run(run.day);
        this.insertMatches(run.matches.map(matchValues));
        this.insertMatchReceipts(run.matches.flatMap((m) => m.receiptIds.map((id) => [id, m.statementRowId])));
        this.upsertDiscrepancies(run.discrepancies.map(discrepancyValues));
      })
      .immediate();
  }

  async discrepancies(filter: DiscrepancyFilter = {}): Promise<DiscrepancyRecord[]> {
    const where = discrepancyWhere(filter, () => '?');
    const params: Array<string | number> = [...where.params];
    let sql = `SELECT ${DISCREPANCY_SELECT} FROM ${DISCREPANCY_FROM}${where.sql} ORDER BY ${DISCREPANCY_ORDER}`;
    if (filter.limit !== undefined || filter.offset !== undefined) {
      sql += ' LIMIT ? OFFSET ?';
      params.push(filter.limit ?? -1, filter.offset ?? 0);
    }
    return this.db.prepare<Array<string | number>, DiscrepancyRow>(sql).all(...params).map(toDiscrepancy);
  }

  async discrepancy(key: string): Promise<DiscrepancyRecord | null> {
    const r = this.byKey.get(key);
    return r ? toDiscrepancy(r) : null;
  }

  async matches(filter: { readonly date?: string; readonly store?: string } = {}): Promise<MatchRecord[]> {
    const where = whereEqual(
      [
        ['m.date', filter.date],
        ['m.store', filter.store],
      ],
      () => '?',
    );
    const cols = MATCH_COLUMNS.split(', ')
      .map((c) => `m.${c}`)
      .join(', ');
    return this.db
      .prepare<string[], MatchRow>(
        `SELECT ${cols}, group_concat(mr.receipt_id, ' ') AS receipt_ids
         FROM matches m LEFT JOIN match_receipts mr ON mr.statement_row_id = m.statement_row_id${where.sql}
         GROUP BY m.statement_row_id ORDER BY m.date, m.statement_row_id`,
      )
      .all(...where.params)
      .map(toMatch);
  }

  async decide(d: DecisionRecord): Promise<DiscrepancyRecord | null> {
    return this.db
      .transaction((): DiscrepancyRecord | null => {
        const held = this.byKey.get(d.key);
        if (!held) return null;
        this.upsertDecision.run(d.key, held.date, d.status, d.by, d.at, d.reason);
        return toDiscrepancy(this.byKey.get(d.key)!);
      })
      .immediate();
  }
}

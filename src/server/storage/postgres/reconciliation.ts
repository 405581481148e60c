/**
 * Matches, discrepancies and decisions. A day's run is saved in one transaction; the primary keys
 * of `matches` (a statement row) and `match_receipts` (a receipt) refuse anything matched twice.
 */
import type pg from 'pg';
import {
  DECISION_COLUMNS,
  DISCREPANCY_COLUMNS,
  DISCREPANCY_FROM,
  DISCREPANCY_ORDER,
  DISCREPANCY_SELECT,
  discrepancyValues,
  discrepancyWhere,
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
import { insertColumns } from './bulk.js';
import { transaction } from './pool.js';

/** Rows or receipts a plan read hands over at a time. */
const PLAN_BATCH = 10_000;

/** The day's candidate rows ($1..$2 the dates, $3 the day): rows another day's run matched are settled, that run keeps them. */
const ROWS_FROM = `FROM statement_rows r JOIN statement_files f ON f.id = r.file_id
  WHERE r.date BETWEEN $1 AND $2 AND f.superseded_by IS NULL
    AND NOT EXISTS (SELECT 1 FROM matches m WHERE m.statement_row_id = r.id AND m.date <> $3)`;
const ROWS_OF = `SELECT ${MATCH_ROW_SELECT} ${ROWS_FROM}`;
/** The same rows, the planner's columns. */
const PLAN_ROWS_OF = `SELECT json_build_array(${PLAN_ROW_VALUES})::text AS j ${ROWS_FROM}`;

/** A receipt x is a candidate unless another day's run (not `day`) matched it. */
const RECEIPT_NOT_SETTLED = (day: string): string => `NOT EXISTS (SELECT 1 FROM match_receipts mr JOIN matches m ON m.statement_row_id = mr.statement_row_id
  WHERE mr.receipt_id = x.id AND m.date <> ${day})`;

/** The window's health events ($1..$2 ms), and each condition's last event before it. */
const HEALTH_OF = `SELECT ${HEALTH_COLUMNS} FROM health_events WHERE at_ms >= $1 AND at_ms < $2
  UNION ALL
  SELECT ${HEALTH_COLUMNS} FROM health_events h WHERE h.at_ms < $1
    AND h.at_ms = (SELECT max(h2.at_ms) FROM health_events h2
                   WHERE h2.store = h.store AND h2.printer = h.printer AND h2.kind = h.kind AND h2.at_ms < $1)
  ORDER BY ${HEALTH_ORDER}`;

const DECISIONS_OF = `SELECT ${DECISION_COLUMNS} FROM discrepancy_decisions WHERE date = $1`;

/** Rows of values by their first (the primary key), bytewise as the tables' "C" collation. */
const byFirst = (a: readonly unknown[], b: readonly unknown[]): number => {
  const x = a[0] as string;
  const y = b[0] as string;
  return x < y ? -1 : x > y ? 1 : 0;
};

/** The SQL types of matches' columns that are not text. */
const MATCH_TYPES: Readonly<Record<string, string>> = { confidence: 'double precision', type_differs: 'integer', delta_ms: 'bigint', amount_minor: 'bigint' };

const MATCH_NAMES = MATCH_COLUMNS.split(', ');

/**
 * A part's matches and their receipts in one statement: one array parameter per column; the
 * receipts' rows find their matches (inserted by the same statement) when the foreign key is
 * checked at its end.
 */
const SAVE_MATCHES = `WITH m AS (
    INSERT INTO matches (${MATCH_COLUMNS}) SELECT * FROM unnest(${MATCH_NAMES.map((c, i) => `$${i + 1}::${MATCH_TYPES[c] ?? 'text'}[]`).join(', ')})
  )
  INSERT INTO match_receipts (receipt_id, statement_row_id) SELECT * FROM unnest($${MATCH_NAMES.length + 1}::text[], $${MATCH_NAMES.length + 2}::text[])`;

/** Rows of values as one array per column. */
function columnsOf(rows: readonly (readonly unknown[])[], n: number): unknown[][] {
  const cols = Array.from({ length: n }, () => new Array<unknown>(rows.length));
  rows.forEach((row, r) => {
    for (let c = 0; c < n; c++) cols[c]![r] = row[c] ?? null;
  });
  return cols;
}

const UPDATE_ALL = DISCREPANCY_COLUMNS.split(', ')
  .filter((c) => c !== 'key')
  .map((c) => `${c} = excluded.${c}`)
  .join(', ');

export class PgReconciliation implements ReconciliationStorage {
  constructor(private readonly pool: pg.Pool) {}

  async input(q: MatchInputQuery): Promise<StoredMatchInput> {
    return transaction(this.pool, async (client) => {
      // One snapshot for the four reads.
      await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      // Rows and receipts another day's run matched are settled: that run keeps them.
      const rows = await client.query<Record<string, unknown>>(ROWS_OF, [q.from, q.to, q.day]);
      const receipts = await client.query<MatchReceiptRow>(
        `SELECT ${MATCH_RECEIPT_COLUMNS} FROM receipt_fields x WHERE x.local_date BETWEEN $1 AND $2 AND ${RECEIPT_NOT_SETTLED('$3')}`,
        [q.from, q.to, q.day],
      );
      const health = await client.query<HealthRow>(HEALTH_OF, [q.fromMs, q.toMs]);
      const decisions = await client.query<DecisionRow>(DECISIONS_OF, [q.day]);
      return {
        rows: rows.rows.map(toMatchStatement),
        receipts: receipts.rows.map(toMatchReceipt),
        health: health.rows.map(toHealth),
        decisions: decisions.rows.map(toDecision),
      };
    });
  }

  async inParts<T>(q: MatchInputQuery, work: (day: DayInParts) => Promise<T>): Promise<T> {
    return transaction(
      this.pool,
      async (client) => {
        // One snapshot for every read of the run; the day's own writes are seen too.
        await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
        await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('tilltap.reconcile:' || $1, 0))`, [q.day]);
        await client.query('DELETE FROM matches WHERE date = $1', [q.day]);
        await client.query('DELETE FROM discrepancies WHERE date = $1', [q.day]);
        // Plan reads go through a cursor, a batch at a time: a day's rows are not held at once.
        const fetch = async <R extends pg.QueryResultRow>(sql: string, params: unknown[], each: (batch: R[]) => void): Promise<void> => {
          await client.query(`DECLARE plan NO SCROLL CURSOR FOR ${sql}`, params);
          for (;;) {
            const r = await client.query<R>(`FETCH ${PLAN_BATCH} FROM plan`);
            if (r.rows.length === 0) break;
            each(r.rows);
          }
          await client.query('CLOSE plan');
        };
        // The calls of the run, one after another on the connection (pg runs one query at a time).
        let tail: Promise<unknown> = Promise.resolve();
        const serial = <R>(f: () => Promise<R>): Promise<R> => {
          const p = tail.then(f);
          tail = p.catch(() => undefined);
          return p;
        };
        const day: DayInParts = {
          planRows: (each) =>
            fetch<{ j: string }>(PLAN_ROWS_OF, [q.from, q.to, q.day], (b) => each(b.map((r) => planRowOf(r.j)))),
          planReceipts: (each) =>
            fetch<PlanReceiptRecord>(
              `SELECT x.store, x.fields FROM receipt_fields x WHERE x.local_date BETWEEN $1 AND $2 AND ${RECEIPT_NOT_SETTLED('$3')}`,
              [q.from, q.to, q.day],
              each,
            ),
          health: async () => (await client.query<HealthRow>(HEALTH_OF, [q.fromMs, q.toMs])).rows.map(toHealth),
          decisions: async () => (await client.query<DecisionRow>(DECISIONS_OF, [q.day])).rows.map(toDecision),
          // One statement each, through `serial`: a part is read, and a part's matches and their
          // receipts written, in one round trip, so that the server does all of it while the
          // matcher runs here (the next statement could only be sent once the matcher is done).
          // Each record as one JSON text (part-json.ts), in rows of arrays: no object per row.
          part: (stores, rowIds) =>
            serial(async () => {
              const r = await client.query<[number, string]>({
                text: `SELECT 0, json_build_array(${PART_ROW_VALUES})::text FROM statement_rows r JOIN statement_files f ON f.id = r.file_id WHERE r.id = ANY($1::text[])
                  UNION ALL
                  SELECT 1, ${partReceiptText(`json_build_array(${PART_RECEIPT_VALUES})::text`)} FROM receipt_fields x
                  WHERE x.store = ANY($2::text[]) AND x.local_date BETWEEN $3 AND $4 AND ${RECEIPT_NOT_SETTLED('$5')}`,
                values: [rowIds, stores, q.from, q.to, q.day],
                rowMode: 'array',
              });
              const out: Awaited<ReturnType<DayInParts['part']>> = { rows: [], receipts: [] };
              for (const [kind, text] of r.rows) {
                if (kind === 0) out.rows.push(partRowOf(text));
                else out.receipts.push(partReceiptOf(text));
              }
              return out;
            }),
          saveMatches: (matches) =>
            serial(async () => {
              if (matches.length === 0) return;
              // In key order (COLLATE "C": bytewise): each index is filled left to right.
              const rows = matches.map(matchValues).sort(byFirst);
              const links = matches.flatMap((m) => m.receiptIds.map((id) => [id, m.statementRowId])).sort(byFirst);
              await client.query(SAVE_MATCHES, [...columnsOf(rows, MATCH_NAMES.length), ...columnsOf(links, 2)]);
            }),
          saveDiscrepancies: (list) =>
            serial(() =>
              insertColumns(client, 'discrepancies', DISCREPANCY_COLUMNS.split(', '), list.map(discrepancyValues), `ON CONFLICT (key) DO UPDATE SET ${UPDATE_ALL}`),
            ),
        };
        return work(day);
      },
      // A run of the day that committed after this one's snapshot: run again on the new state.
      { attempts: 2 },
    );
  }

  async save(run: StoredRun): Promise<void> {
    await transaction(
      this.pool,
      async (client) => {
        // Two runs of one day queue here rather than interleave their deletes and inserts.
        await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('tilltap.reconcile:' || $1, 0))`, [run.day]);
        await client.query('DELETE FROM matches WHERE date = $1', [run.day]);
        await client.query('DELETE FROM discrepancies WHERE date = $1', [run.day]);
        await insertColumns(client, 'matches', MATCH_COLUMNS.split(', '), run.matches.map(matchValues));
        await insertColumns(
          client,
          'match_receipts',
          ['receipt_id', 'statement_row_id'],
          run.matches.flatMap((m) => m.receiptIds.map((id) => [id, m.statementRowId])),
        );
        // A key found again (an ambiguous cluster across midnight, seen from both days) takes the latest run's facts.
        await insertColumns(client, 'discrepancies', DISCREPANCY_COLUMNS.split(', '), run.discrepancies.map(discrepancyValues), `ON CONFLICT (key) DO UPDATE SET ${UPDATE_ALL}`);
      },
      // Another day's run saving at the same moment may hold a receipt for a moment; a real
      // second match stays refused.
      { attempts: 2 },
    );
  }

  async discrepancies(filter: DiscrepancyFilter = {}): Promise<DiscrepancyRecord[]> {
    const where = discrepancyWhere(filter, (n) => `$${n}`);
    const params: Array<string | number | null> = [...where.params];
    let sql = `SELECT ${DISCREPANCY_SELECT} FROM ${DISCREPANCY_FROM}${where.sql} ORDER BY ${DISCREPANCY_ORDER}`;
    if (filter.limit !== undefined || filter.offset !== undefined) {
      // LIMIT NULL is no limit.
      sql += ` LIMIT $${params.length + 1} OFFSET $${params.length + 2}`;
      params.push(filter.limit ?? null, filter.offset ?? 0);
    }
    const r = await this.pool.query<DiscrepancyRow>(sql, params);
    return r.rows.map(toDiscrepancy);
  }

  async discrepancy(key: string): Promise<DiscrepancyRecord | null> {
    const r = await this.pool.query<DiscrepancyRow>(`SELECT ${DISCREPANCY_SELECT} FROM ${DISCREPANCY_FROM} WHERE d.key = $1`, [key]);
    return r.rows[0] ? toDiscrepancy(r.rows[0]) : null;
  }

  async matches(filter: { readonly date?: string; readonly store?: string } = {}): Promise<MatchRecord[]> {
    const where = whereEqual(
      [
        ['m.date', filter.date],
        ['m.store', filter.store],
      ],
      (n) => `$${n}`,
    );
    const cols = MATCH_COLUMNS.split(', ')
      .map((c) => `m.${c}`)
      .join(', ');
    const r = await this.pool.query<MatchRow>(
      `SELECT ${cols}, string_agg(mr.receipt_id, ' ') AS receipt_ids
       FROM matches m LEFT JOIN match_receipts mr ON mr.statement_row_id = m.statement_row_id${where.sql}
       GROUP BY m.statement_row_id ORDER BY m.date, m.statement_row_id`,
      where.params,
    );
    return r.rows.map(toMatch);
  }

  async decide(d: DecisionRecord): Promise<DiscrepancyRecord | null> {
    return transaction(this.pool, async (client) => {
      const held = await client.query<{ date: string }>('SELECT date FROM discrepancies WHERE key = $1 FOR UPDATE', [d.key]);
      if (!held.rows[0]) return null;
      await client.query(
        `INSERT INTO discrepancy_decisions (key, date, status, decided_by, decided_at, reason) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (key) DO UPDATE SET date = excluded.date, status = excluded.status, decided_by = excluded.decided_by,
           decided_at = excluded.decided_at, reason = excluded.reason`,
        [d.key, held.rows[0].date, d.status, d.by, d.at, d.reason],
      );
      const r = await client.query<DiscrepancyRow>(`SELECT ${DISCREPANCY_SELECT} FROM ${DISCREPANCY_FROM} WHERE d.key = $1`, [d.key]);
      return toDiscrepancy(r.rows[0]!);
    });
  }
}

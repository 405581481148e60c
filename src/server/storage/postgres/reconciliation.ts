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
import { PART_RECEIPT_VALUES, PART_ROW_VALUES, partReceiptFrom, partReceiptText, partRowFrom, PLAN_ROW_VALUES, planRowOf } from '../part-json.js';
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

/**
 * The window's receipts for the plan, each with its id when another day's run matched it (settled:
 * such a receipt is left out of the plan and of every part).
 */
const PLAN_RECEIPTS_OF = `SELECT x.store, x.fields, CASE WHEN ${RECEIPT_NOT_SETTLED('$3')} THEN NULL ELSE x.id END AS settled
  FROM receipt_fields x WHERE x.local_date BETWEEN $1 AND $2`;

/** The window's settled receipts, by store, for a run whose parts are read without a plan. */
const SETTLED_OF = `SELECT x.store, x.id FROM receipt_fields x WHERE x.local_date BETWEEN $1 AND $2 AND NOT ${RECEIPT_NOT_SETTLED('$3')}`;

/**
 * A part's rows and receipts ($1 the rows' ids, $2 the stores, $3..$4 the dates, $5 the settled
 * receipts of those stores), each found by its key, so that the part's size, not the day's,
 * decides the work: a row is looked up by its id in a LATERAL subquery the planner cannot
 * flatten (OFFSET 0), which stays an index probe whatever the statistics say (as `r.id = ANY($1)`
 * a table not analysed since its import was scanned whole for every part, and the day's time grew
 * with its square); the receipts are their stores' of the window less the settled ones, which the
 * plan's read found once (a NOT EXISTS here hashed all of match_receipts, growing with the day,
 * for every part). The ids come sorted: the probes walk the primary key in its order. Each side
 * comes as one JSON document, an array of the records' arrays (part-json.ts): one JSON.parse a
 * side instead of one a record, and no row of the driver's per record.
 */
const PART_OF = `SELECT
  (SELECT '[' || coalesce(string_agg(json_build_array(${PART_ROW_VALUES})::text, ','), '') || ']'
    FROM unnest($1::text[]) AS p(id)
    CROSS JOIN LATERAL (SELECT * FROM statement_rows r WHERE r.id = p.id OFFSET 0) r
    JOIN statement_files f ON f.id = r.file_id),
  (SELECT '[' || coalesce(string_agg(${partReceiptText(`json_build_array(${PART_RECEIPT_VALUES})::text`)}, ','), '') || ']'
    FROM receipt_fields x
    WHERE x.store = ANY($2::text[]) AND x.local_date BETWEEN $3 AND $4 AND x.id <> ALL($5::text[]))`;

/** The window's health events ($1..$2 ms), and each condition's last event before it. */
const HEALTH_OF = `SELECT ${HEALTH_COLUMNS} FROM health_events WHERE at_ms >= $1 AND at_ms < $2
  UNION ALL
  SELECT ${HEALTH_COLUMNS} FROM health_events h WHERE h.at_ms < $1
    AND h.at_ms = (SELECT max(h2.at_ms) FROM health_events h2
                   WHERE h2.store = h.store AND h2.printer = h.printer AND h2.kind = h.kind AND h2.at_ms < $1)
  ORDER BY ${HEALTH_ORDER}`;

const DECISIONS_OF = `SELECT ${DECISION_COLUMNS} FROM discrepancy_decisions WHERE date = $1`;

/**
 * A part's matches and their receipts in one statement, from one JSON parameter: the run's match
 * records as they are (JSON.stringify writes them natively; per-column arrays cost the client a
 * conversion and an escape per value, a large share of a run's CPU at a million matches), turned
 * into rows once by the server and written in key order (COLLATE "C", bytewise, as the keys are
 * compared): each index is filled left to right.
 */
const SAVE_MATCHES = `WITH t AS MATERIALIZED (
    SELECT * FROM json_to_recordset($1::json) AS t("statementRowId" text, date text, "group" text, "receiptIds" json, tier text,
      confidence double precision, "typeDiffers" boolean, "deltaMs" bigint, store text, terminal text, operator text,
      "transType" text, "amountMinor" bigint, currency text, "matchedAt" text)
  ), m AS (
    INSERT INTO matches (${MATCH_COLUMNS})
    SELECT "statementRowId", date, "group", tier, confidence, "typeDiffers"::integer, "deltaMs", store, terminal, operator,
      "transType", "amountMinor", currency, "matchedAt"
    FROM t ORDER BY "statementRowId" COLLATE "C"
  )
  INSERT INTO match_receipts (receipt_id, statement_row_id)
  SELECT r.id, t."statementRowId" FROM t CROSS JOIN json_array_elements_text(t."receiptIds") AS r(id) ORDER BY r.id COLLATE "C"`;

const UPDATE_ALL = DISCREPANCY_COLUMNS.split(', ')
  .filter((c) => c !== 'key')
  .map((c) => `${c} = excluded.${c}`)
  .join(', ');

/**
 * A day's matches, their receipts and discrepancies go (a run of the day replaces them). The
 * receipts first, in one statement: the cascade from matches would delete them one trigger call
 * per match (a re-run of a day of a million matches).
 */
async function deleteDay(client: pg.PoolClient, day: string): Promise<void> {
  await client.query('DELETE FROM match_receipts mr USING matches m WHERE m.statement_row_id = mr.statement_row_id AND m.date = $1', [day]);
  await client.query('DELETE FROM matches WHERE date = $1', [day]);
  await client.query('DELETE FROM discrepancies WHERE date = $1', [day]);
}

/** The promise, marked handled: it is waited for later, and may fail before that. */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/**
 * A second connection that reads a run's parts in the run's snapshot while the run's own
 * connection writes. pg runs one statement at a time on a connection and sends the next only when
 * node's event loop turns, which it does not while the matcher runs: on the run's one connection
 * the next part was read only once the matcher had finished with this one, and the server sat idle
 * through every match. A part read sees nothing of the run's own writes, and needs nothing of them
 * (rows by id, receipts by store less those settled before the run). Null when the pool has no
 * connection free at once or the server none to open (the run then reads on its own connection).
 */
async function openReader(pool: pg.Pool, run: pg.PoolClient): Promise<pg.PoolClient | null> {
  if (pool.idleCount === 0 && pool.totalCount >= (pool.options.max ?? 10)) return null;
  const snapshot = (await run.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;
  let reader: pg.PoolClient;
  try {
    reader = await pool.connect();
  } catch {
    // No connection to be had (the server's max_connections): the run reads on its own.
    return null;
  }
  try {
    await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    await reader.query(`SET TRANSACTION SNAPSHOT '${snapshot.replace(/[^0-9A-Fa-f-]/g, '')}'`);
    await reader.query(RUN_SETTINGS);
    return reader;
  } catch (err) {
    reader.release(err as Error);
    throw err;
  }
}

/** Ends the reader's transaction once its last read is done, and gives it back. */
async function closeReader(reader: pg.PoolClient, last: Promise<unknown>): Promise<void> {
  await last.catch(() => undefined);
  let broken: Error | undefined;
  try {
    await reader.query('ROLLBACK');
  } catch (err) {
    broken = err as Error;
  }
  reader.release(broken);
}

/**
 * The run's statements are index lookups and writes a part at a time, each a fraction of a second:
 * compiling them (JIT) costs more than it saves, and parallel workers would take the core the
 * matcher runs on while the server works through a part.
 */
const RUN_SETTINGS = 'SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0';

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
        await client.query(RUN_SETTINGS);
        await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('tilltap.reconcile:' || $1, 0))`, [q.day]);
        await deleteDay(client, q.day);
        // Plan reads go through a cursor, a batch at a time: a day's rows are not held at once.
        // The next batch is asked for before this one is handed over: the server reads it while
        // the planner takes this one.
        const fetch = async <R extends pg.QueryResultRow>(sql: string, params: unknown[], each: (batch: R[]) => void): Promise<void> => {
          await client.query(`DECLARE plan NO SCROLL CURSOR FOR ${sql}`, params);
          const next = (): Promise<pg.QueryResult<R>> => quiet(client.query<R>(`FETCH ${PLAN_BATCH} FROM plan`));
          for (let batch = next(); ; ) {
            const r = await batch;
            if (r.rows.length === 0) break;
            batch = next();
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
        // The window's receipts another day's run matched, by store: found by planReceipts (or,
        // for parts read without a plan, by a query of their own), left out of every part.
        let settled: Promise<Map<string, string[]>> | undefined;
        // Known once planReceipts is done: a part read is then sent at once, before the matcher
        // takes the event loop (a read sent from a promise's callback waits for the match).
        let settledNow: Map<string, string[]> | undefined;
        const reader = await openReader(this.pool, client);
        let readerTail: Promise<unknown> = Promise.resolve();
        const readPart = async (r: Promise<pg.QueryResult<[string, string]>>): Promise<Awaited<ReturnType<DayInParts['part']>>> => {
          const [rows, receipts] = (await r).rows[0]!;
          return { rows: (JSON.parse(rows) as unknown[][]).map(partRowFrom), receipts: (JSON.parse(receipts) as unknown[][]).map(partReceiptFrom) };
        };
        const partQuery = (on: pg.PoolClient, by: Map<string, string[]>, stores: readonly string[], rowIds: readonly string[]) =>
          on.query<[string, string]>({
            text: PART_OF,
            values: [[...rowIds].sort(), stores, q.from, q.to, stores.flatMap((s) => by.get(s) ?? [])],
            rowMode: 'array',
          });
        const settledBy = (pairs: Iterable<readonly [string, string]>): Map<string, string[]> => {
          const by = new Map<string, string[]>();
          for (const [store, id] of pairs) {
            const list = by.get(store);
            if (list) list.push(id);
            else by.set(store, [id]);
          }
          return by;
        };
        const day: DayInParts = {
          planRows: (each) =>
            fetch<{ j: string }>(PLAN_ROWS_OF, [q.from, q.to, q.day], (b) => each(b.map((r) => planRowOf(r.j)))),
          planReceipts: async (each) => {
            const found: Array<[string, string]> = [];
            await fetch<PlanReceiptRecord & { settled: string | null }>(PLAN_RECEIPTS_OF, [q.from, q.to, q.day], (b) => {
              const open: PlanReceiptRecord[] = [];
              for (const r of b) {
                if (r.settled === null) open.push({ store: r.store, fields: r.fields });
                else found.push([r.store, r.settled]);
              }
              each(open);
            });
            settledNow = settledBy(found);
            settled = Promise.resolve(settledNow);
          },
          health: async () => (await client.query<HealthRow>(HEALTH_OF, [q.fromMs, q.toMs])).rows.map(toHealth),
          decisions: async () => (await client.query<DecisionRow>(DECISIONS_OF, [q.day])).rows.map(toDecision),
          // One statement each, through `serial`: a part is read, and a part's matches and their
          // receipts written, in one round trip, so that the server does all of it while the
          // matcher runs here (the next statement could only be sent once the matcher is done).
          part: (stores, rowIds) => {
            if (reader && settledNow) {
              const p = readPart(partQuery(reader, settledNow, stores, rowIds));
              readerTail = p;
              return p;
            }
            settled ??= serial(async () =>
              settledBy((await client.query<[string, string]>({ text: SETTLED_OF, values: [q.from, q.to, q.day], rowMode: 'array' })).rows),
            );
            const held = settled;
            if (reader) {
              const p = held.then((by) => readPart(partQuery(reader, by, stores, rowIds)));
              readerTail = p;
              return p;
            }
            return serial(async () => readPart(partQuery(client, await held, stores, rowIds)));
          },
          saveMatches: (matches) =>
            serial(async () => {
              if (matches.length === 0) return;
              // The records carry exactly MatchRecord's members: one key per column, and receiptIds.
              await client.query(SAVE_MATCHES, [JSON.stringify(matches)]);
            }),
          saveDiscrepancies: (list) =>
            serial(() =>
              insertColumns(client, 'discrepancies', DISCREPANCY_COLUMNS.split(', '), list.map(discrepancyValues), `ON CONFLICT (key) DO UPDATE SET ${UPDATE_ALL}`),
            ),
        };
        try {
          return await work(day);
        } finally {
          if (reader) await closeReader(reader, readerTail);
        }
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
        await deleteDay(client, run.day);
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

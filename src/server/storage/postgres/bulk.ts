/**
 * Many rows into one table. `insertMany`: multi-row VALUES, for a few rows. `insertColumns`: one
 * array parameter per column, `INSERT … SELECT * FROM unnest($1::text[], $2::bigint[], …)`, for
 * tens of thousands (a day's matches and their receipts): PostgreSQL plans one small statement
 * instead of parsing tens of thousands of placeholders. `insertJson`: the rows as one JSON
 * document (statement rows, a slice at a time), the cheapest for the client to write.
 */
import type pg from 'pg';
import { chunks, rowsPerStatement, valuesList } from './pool.js';

type Value = string | number | null;

/** `head` is `INSERT INTO t` (the columns and VALUES are added), `tail` an optional ON CONFLICT clause. */
export async function insertMany(
  client: pg.PoolClient,
  head: string,
  columns: readonly string[],
  rows: readonly (readonly Value[])[],
  tail = '',
): Promise<void> {
  for (const part of chunks(rows, rowsPerStatement(columns.length))) {
    await client.query(`${head} (${columns.join(', ')}) VALUES ${valuesList(part.length, columns.length)} ${tail}`, part.flat());
  }
}

/** The SQL type of a column the bulk inserts write, by its name (every other column is text). */
const COLUMN_TYPES: Readonly<Record<string, string>> = {
  amount_minor: 'bigint',
  fee_minor: 'bigint',
  settle_minor: 'bigint',
  delta_ms: 'bigint',
  line: 'integer',
  seq: 'integer',
  type_differs: 'integer',
  confidence: 'double precision',
};

/** Rows per statement: large enough to be quick, small enough to keep the arrays in memory modest. */
const ROWS_PER_UNNEST = 20_000;

export async function insertColumns(
  client: pg.PoolClient,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly Value[])[],
  tail = '',
): Promise<void> {
  const casts = columns.map((c, i) => `$${i + 1}::${COLUMN_TYPES[c] ?? 'text'}[]`).join(', ');
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${casts}) ${tail}`;
  for (const part of chunks(rows, ROWS_PER_UNNEST)) {
    const arrays: Value[][] = columns.map(() => new Array<Value>(part.length));
    part.forEach((row, r) => {
      for (let c = 0; c < columns.length; c++) arrays[c]![r] = row[c] ?? null;
    });
    await client.query(sql, arrays);
  }
}

/**
 * Many rows as one JSON parameter: `INSERT … SELECT … FROM json_populate_recordset(NULL::table, $1)`.
 * The rows are objects keyed by column name (members that are not columns are ignored, absent
 * ones are NULL); JSON.stringify writes them natively, where per-value parameters cost the client
 * a conversion each.
 */
export async function insertJson(client: pg.PoolClient, table: string, columns: readonly string[], rows: readonly object[]): Promise<void> {
  if (rows.length === 0) return;
  const list = columns.join(', ');
  await client.query(`INSERT INTO ${table} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${table}, $1::json)`, [JSON.stringify(rows)]);
}

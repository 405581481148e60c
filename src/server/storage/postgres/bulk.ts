/**
 * Many rows into one table. `insertMany`: multi-row VALUES, for a few rows. `insertColumns`: one
 * array parameter per column, `INSERT … SELECT * FROM unnest($1::text[], $2::bigint[], …)`, for
 * tens of thousands (a day's statement rows, matches and their receipts): PostgreSQL plans one
 * small statement instead of parsing tens of thousands of placeholders.
 */
import { createHash } from 'node:crypto';
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

/** Rows per multi-row INSERT of insertValues: a statement prepared once per connection and size. */
const ROWS_PER_VALUES = 1_000;

/** The full-size statement of each INSERT head: its name and text. */
const FULL_STATEMENTS = new Map<string, { name: string; text: string }>();

/**
 * Many rows as multi-row `INSERT … VALUES` statements of ROWS_PER_VALUES rows, each a named
 * prepared statement (PostgreSQL parses and plans it once per connection), and one for the rest.
 * Sent back to back: the connection queues them, and the promise settles with the last.
 */
export async function insertValues(client: pg.PoolClient, head: string, columns: readonly string[], rows: readonly (readonly Value[])[]): Promise<void> {
  const per = Math.min(ROWS_PER_VALUES, rowsPerStatement(columns.length));
  const sql = `${head} (${columns.join(', ')}) VALUES `;
  let full = FULL_STATEMENTS.get(sql);
  if (!full) {
    full = { name: `tt_ins_${createHash('sha256').update(sql).digest('hex').slice(0, 16)}_${per}`, text: sql + valuesList(per, columns.length) };
    FULL_STATEMENTS.set(sql, full);
  }
  const sent: Promise<unknown>[] = [];
  for (let i = 0; i < rows.length; i += per) {
    const n = Math.min(per, rows.length - i);
    const values: Value[] = [];
    for (let k = i; k < i + n; k++) for (const v of rows[k]!) values.push(v);
    sent.push(client.query(n === per ? { ...full, values } : { text: sql + valuesList(n, columns.length), values }));
  }
  await Promise.all(sent);
}

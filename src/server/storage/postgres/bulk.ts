/** Many rows into one table: multi-row INSERTs as large as PostgreSQL's parameter limit allows. */
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

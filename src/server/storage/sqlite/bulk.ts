/**
 * Many rows into one table quickly: multi-row INSERTs of a fixed size (prepared once) and single
 * rows for the rest. Inside the caller's transaction.
 */
import type Database from 'better-sqlite3';

type Value = string | number | null;

/** SQLite binds at most 32,766 variables per statement; far fewer keeps statements small. */
const MAX_VARIABLES = 4000;

/** `head` is `INSERT INTO t` (the columns and VALUES are added), `tail` an optional ON CONFLICT clause. */
export function bulkInsert(db: Database.Database, head: string, columns: readonly string[], tail = ''): (rows: readonly (readonly Value[])[]) => void {
  const perStatement = Math.max(1, Math.floor(MAX_VARIABLES / columns.length));
  const one = `(${columns.map(() => '?').join(', ')})`;
  const sql = (n: number): string => `${head} (${columns.join(', ')}) VALUES ${Array.from({ length: n }, () => one).join(', ')} ${tail}`;
  const many = db.prepare<Value[]>(sql(perStatement));
  const single = db.prepare<Value[]>(sql(1));
  return (rows) => {
    let i = 0;
    for (; i + perStatement <= rows.length; i += perStatement) {
      const values: Value[] = [];
      for (let k = i; k < i + perStatement; k++) for (const v of rows[k]!) values.push(v);
      many.run(...values);
    }
    for (; i < rows.length; i++) single.run(...rows[i]!);
  };
}

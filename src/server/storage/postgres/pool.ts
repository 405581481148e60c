/**
 * The connection pool and the transaction every writing method runs in.
 *
 * BIGINT (int8) columns hold counts, sequence numbers, milliseconds and (later) money in minor
 * units. pg hands int8 back as a string by default (it may not fit a double); the storage
 * interface says number, so this pool parses it, and refuses a value outside the safe-integer
 * range rather than rounding it silently. The parser is set on this pool only, not on pg's
 * global types: nothing else in the process changes.
 */
import pg from 'pg';

/** A pool or one client of it: what a query can run on. */
export type Queryable = pg.Pool | pg.PoolClient;

const INT8_OID = 20;

function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`BIGINT ${text} is outside the range a JavaScript number holds exactly`);
  return n;
}

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PoolOptions {
  /** Connections at most (the server: 10; a one-shot CLI command: 2). */
  readonly max?: number;
}

/** How long opening a connection may take before it is a failure (an unreachable host). */
export const CONNECT_TIMEOUT_MS = 10_000;

export function createPool(url: string, opts: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'tilltap-server',
    types,
  });
  // An idle client whose connection dies (a database restart) emits 'error' on the pool; unheard,
  // that would end the process. The pool drops that client; the next query opens a new one, and
  // fails there if the database is still away, where the caller answers for it.
  pool.on('error', () => {});
  return pool;
}

/** SQLSTATEs after which the same transaction, run again from the start, may succeed. */
const RETRYABLE = new Set([
  // unique_violation: two transactions inserted the same receipt id / idempotency key at once;
  // run again, the loser reads the winner's row and decides as if it had come second.
  '23505',
  // serialization_failure: only under REPEATABLE READ / SERIALIZABLE, should a caller raise it.
  '40001',
  // deadlock_detected: two batches wrote the same ids in another order.
  '40P01',
]);

export const sqlState = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : undefined;

export interface TransactionOptions {
  /**
   * Run `work` again (up to this many times in all) when it failed on a race with another
   * transaction. Only for work that decides from what it reads (ingest), and is pure otherwise.
   */
  readonly attempts?: number;
}

/**
 * BEGIN, `work` on one client, COMMIT; ROLLBACK if anything threw. READ COMMITTED: the races it
 * allows (two writers of one new id) end in a unique violation and a retry, see RETRYABLE.
 */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 1;
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const out = await work(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        // The connection is gone: do not give it back to the pool.
        broken = rollbackErr as Error;
      }
      const code = sqlState(err);
      if (attempt >= attempts || code === undefined || !RETRYABLE.has(code)) throw err;
    } finally {
      client.release(broken);
    }
  }
}

/** `($1, $2, $3), ($4, $5, $6)`: the VALUES of a multi-row INSERT. */
export function valuesList(rows: number, columns: number): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 1; c <= columns; c++) cells.push(`$${r * columns + c}`);
    out.push(`(${cells.join(', ')})`);
  }
  return out.join(', ');
}

/** PostgreSQL takes at most 65,535 parameters in one statement: rows per multi-row INSERT. */
export const rowsPerStatement = (columns: number): number => Math.floor(65_535 / columns);

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

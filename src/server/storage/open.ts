/**
 * Opening the storage that `--db` names (url.ts parses it): a SQLite file, or a PostgreSQL
 * database (connected and migrated before this resolves).
 */
import { resolve } from 'node:path';
import { PostgresStorage } from './postgres/index.js';
import { SqliteStorage } from './sqlite/index.js';
import type { Storage } from './types.js';
import { redact, type DbTarget } from './url.js';

export { DbUrlError, DEFAULT_DB, parseDbUrl, redact, type DbTarget } from './url.js';

/**
 * The database could not be opened (unreachable, refused the login, no such database, a schema
 * from a newer tilltap, an unwritable file): a runtime failure (exit 1), one line, password
 * removed.
 */
export class DbOpenError extends Error {
  override readonly name = 'DbOpenError';
}

export interface OpenOptions {
  /** PostgreSQL connections at most (default 10; a one-shot CLI command needs 2). */
  readonly connections?: number;
}

export async function openStorage(target: DbTarget, opts: OpenOptions = {}): Promise<Storage> {
  const where = target.kind === 'sqlite' ? target.file : redact(target.url);
  try {
    if (target.kind === 'postgres') return await PostgresStorage.open(target.url, opts.connections ? { max: opts.connections } : {});
    return SqliteStorage.open(resolve(target.file));
  } catch (err) {
    throw new DbOpenError(`cannot open the database ${where}: ${describeDbError(err)}`, { cause: err });
  }
}

/** One line for an error from pg, net or better-sqlite3. */
export function describeDbError(err: unknown): string {
  // Node's connect to a name with several addresses (localhost: ::1 and 127.0.0.1) fails with an
  // AggregateError whose own message is empty.
  const e = err instanceof AggregateError && err.errors.length > 0 ? err.errors[0] : err;
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown } | null)?.code;
  const line = (message.split('\n')[0] ?? '').trim() || (typeof code === 'string' ? code : 'unknown error');
  return redactAll(line);
}

/** A pg or net message may quote the connection string. */
const redactAll = (s: string): string => s.replace(/(postgres(?:ql)?:\/\/[^:/@\s]+):[^@/\s]*@/gi, '$1:***@');

/**
 * The server's database for one CLI command (`server token …`, `server receipts …`,
 * `import-statement`, `reconcile`): `--db URL` or the config file's, opened for the command and
 * closed whatever happens; a bad URL is bad usage (exit 2), a database that cannot be opened a
 * runtime failure (exit 1).
 */
import type { Command } from 'commander';
import { loadServerConfig } from '../server/config.js';
import { DbOpenError, DbUrlError, DEFAULT_DB, openStorage, parseDbUrl } from '../server/storage/open.js';
import type { Storage } from '../server/storage/types.js';
import { runtimeError, usageError } from './errors.js';

export interface DbFlags {
  db?: string;
  config?: string;
}

/** --db, else the config file's db, else the default file. */
export function dbOf(flags: DbFlags): string {
  let db = flags.db;
  if (db === undefined && flags.config) {
    try {
      db = loadServerConfig({ config: flags.config }).db;
    } catch (err) {
      throw usageError((err as Error).message);
    }
  }
  return db ?? DEFAULT_DB;
}

/** A malformed --db is bad usage (exit 2); a database that cannot be opened is a runtime failure (exit 1). */
async function open(db: string): Promise<Storage> {
  try {
    // One command, one transaction at a time: two connections are plenty.
    return await openStorage(parseDbUrl(db), { connections: 2 });
  } catch (err) {
    throw dbError(err);
  }
}

export function dbError(err: unknown): Error {
  if (err instanceof DbUrlError) return usageError(err.message);
  if (err instanceof DbOpenError) return runtimeError(err.message);
  return runtimeError(`the database failed: ${(err as Error).message.split('\n')[0]}`);
}

/** Open the server's database for one command, and close it whatever happens. */
export async function withStorage<T>(flags: DbFlags, work: (storage: Storage) => Promise<T>): Promise<T> {
  const storage = await open(dbOf(flags));
  try {
    return await work(storage);
  } finally {
    await storage.close();
  }
}

/**
 * A subcommand's options with those its parents took: commander hands `--db` / `--config` to
 * `server` (which has them too) even when they come after `token create`.
 */
export const all = <T>(cmd: Command): T => cmd.optsWithGlobals<T & Record<string, unknown>>();

export const dbOption = (cmd: Command): Command =>
  cmd
    .option('--db <url>', `SQLite file path or postgres:// URL (default ${DEFAULT_DB})`)
    .option('--config <file>', 'take the database from this server config file');

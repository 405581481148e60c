/** Opening the server's SQLite file with the settings its promises rest on, and its migrations. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate, type Migration } from '../../../store/migrations.js';
import { SERVER_MIGRATIONS } from './migrations.js';

/** How long a statement waits for another process's lock (a `server token create` beside the server). */
export const BUSY_TIMEOUT_MS = 5000;

export function openServerDatabase(file: string, migrations: readonly Migration[] = SERVER_MIGRATIONS): Database.Database {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // WAL: the CLI and the dashboard read while ingest writes, neither blocks the other.
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`${file}: could not switch to WAL (journal_mode is ${String(mode)}); is it on a network drive?`);
    // FULL: an answered batch is on the disk. The agent marks receipts synced on our 200 and may
    // prune them afterwards, so a commit lost to a power cut would be a receipt lost for good.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, file, migrations);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

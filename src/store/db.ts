/**
 * Opening the store's SQLite file with the settings the journal's promises rest on.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

export const DB_FILE = 'tilltap.db';

/** How long a statement waits for another process's lock (a `receipts` command beside the agent). */
export const BUSY_TIMEOUT_MS = 5000;

export function openDatabase(dataDir: string): Database.Database {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, DB_FILE);
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    configure(db, file);
    migrate(db, file);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

function configure(db: Database.Database, file: string): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // Only possible before the first table exists: lets prune() hand freed pages back to the disk
  // (counter PCs have small disks) with `incremental_vacuum` instead of a full VACUUM.
  const fresh = (db.prepare("SELECT count(*) AS n FROM sqlite_schema").get() as { n: number }).n === 0;
  if (fresh) db.pragma('auto_vacuum = INCREMENTAL');
  // WAL: the agent appends while a `receipts` command reads, neither blocks the other.
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') throw new Error(`${file}: could not switch to WAL (journal_mode is ${String(mode)}); is it on a network drive?`);
  // FULL: every commit is fsynced before it returns; in WAL mode NORMAL could lose the last
  // commits on power loss, and a journaled chunk or a receipt is money.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Deleted and rewritten content is zeroed, not left in free pages: redacted card numbers and
  // pruned journals must not linger in the file.
  db.pragma('secure_delete = ON');
}

/**
 * Copy every page into the main file and truncate the WAL, so that old page images (unmasked card
 * numbers before redaction, pruned journals) are gone from the disk. Never waits: with a reader on
 * an old snapshot (a long `receipts export`) a TRUNCATE checkpoint would block the agent's event
 * loop for the busy timeout, and so delay printing; it returns false instead, and the next call
 * (the next redaction, prune or close) tries again.
 */
export function scrubWal(db: Database.Database): boolean {
  db.pragma('busy_timeout = 0');
  try {
    const r = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    return r[0]?.busy === 0;
  } catch {
    return false;
  } finally {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

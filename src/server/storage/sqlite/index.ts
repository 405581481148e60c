/**
 * The server's storage on one SQLite file (better-sqlite3): one module per table group, composed
 * here. better-sqlite3 is synchronous, so each async method has committed (fsynced) by the time
 * its Promise exists; the Promise shape is for the PostgreSQL backend's sake.
 */
import type Database from 'better-sqlite3';
import type { Storage } from '../types.js';
import { openServerDatabase } from './db.js';
import { SqliteDevices } from './devices.js';
import { SqliteHealth } from './health-events.js';
import { SqliteIdempotency } from './idempotency.js';
import { SqliteReceipts } from './receipts.js';
import { SqliteReconciliation } from './reconciliation.js';
import { SqliteStatements } from './statements.js';
import { SqliteStores } from './stores.js';
import { SqliteTokens } from './tokens.js';

export class SqliteStorage implements Storage {
  readonly kind = 'sqlite' as const;
  readonly stores: SqliteStores;
  readonly tokens: SqliteTokens;
  readonly devices: SqliteDevices;
  readonly idempotency: SqliteIdempotency;
  readonly receipts: SqliteReceipts;
  readonly health: SqliteHealth;
  readonly statements: SqliteStatements;
  readonly reconciliation: SqliteReconciliation;
  private readonly ping_;

  private constructor(
    /** The connection, for modules of later issues that add their tables through the migrations. */
    readonly db: Database.Database,
    readonly location: string,
  ) {
    this.stores = new SqliteStores(db);
    this.tokens = new SqliteTokens(db, this.stores);
    this.devices = new SqliteDevices(db);
    this.idempotency = new SqliteIdempotency(db, this.devices);
    this.receipts = new SqliteReceipts(db, this.idempotency);
    this.health = new SqliteHealth(db, this.idempotency);
    this.statements = new SqliteStatements(db);
    this.reconciliation = new SqliteReconciliation(db);
    this.ping_ = db.prepare<[], { one: number }>('SELECT 1 AS one');
  }

  /** Open (or create) the file and apply pending migrations. */
  static open(file: string): SqliteStorage {
    return new SqliteStorage(openServerDatabase(file), file);
  }

  async ping(): Promise<boolean> {
    try {
      return this.db.open && this.ping_.get()?.one === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    try {
      // Fold the WAL back into the file so that a copied .db is whole on its own.
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A reader in another process holds an old snapshot; the WAL stays consistent.
    }
    this.db.close();
  }
}

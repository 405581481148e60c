/**
 * The server's storage on PostgreSQL (pg 8): one module per table group, composed here, like
 * storage/sqlite/. Opening connects, and migrates the schema (./migrate.ts) before anything else
 * uses the pool.
 */
import type pg from 'pg';
import { redact } from '../url.js';
import type { Storage } from '../types.js';
import { PgDevices } from './devices.js';
import { PgHealth } from './health-events.js';
import { PgIdempotency } from './idempotency.js';
import { migrate } from './migrate.js';
import { PG_SERVER_MIGRATIONS } from './migrations.js';
import { createPool, type PoolOptions } from './pool.js';
import { PgReceipts } from './receipts.js';
import { PgReconciliation } from './reconciliation.js';
import { PgStatements } from './statements.js';
import { PgStores } from './stores.js';
import { PgTokens } from './tokens.js';

export class PostgresStorage implements Storage {
  readonly kind = 'postgres' as const;
  readonly stores: PgStores;
  readonly tokens: PgTokens;
  readonly devices: PgDevices;
  readonly idempotency: PgIdempotency;
  readonly receipts: PgReceipts;
  readonly health: PgHealth;
  readonly statements: PgStatements;
  readonly reconciliation: PgReconciliation;
  private closing: Promise<void> | undefined;

  private constructor(
    /** The pool, for modules of later issues that add their tables through the migrations. */
    readonly pool: pg.Pool,
    /** The URL without its password. */
    readonly location: string,
  ) {
    this.stores = new PgStores(pool);
    this.tokens = new PgTokens(pool, this.stores);
    this.devices = new PgDevices(pool);
    this.idempotency = new PgIdempotency(pool, this.devices);
    this.receipts = new PgReceipts(pool, this.idempotency);
    this.health = new PgHealth(pool, this.idempotency);
    this.statements = new PgStatements(pool);
    this.reconciliation = new PgReconciliation(pool);
  }

  /** Connect and apply pending migrations; the pool is closed again if that fails. */
  static async open(url: string, opts: PoolOptions = {}): Promise<PostgresStorage> {
    const pool = createPool(url, opts);
    const location = redact(url);
    try {
      await migrate(pool, location, PG_SERVER_MIGRATIONS);
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
    return new PostgresStorage(pool, location);
  }

  async ping(): Promise<boolean> {
    if (this.closing) return false;
    try {
      const r = await this.pool.query<{ one: number }>('SELECT 1 AS one');
      return r.rows[0]?.one === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    // Waits for the clients in use to be given back: in-flight transactions finish first.
    this.closing ??= this.pool.end();
    await this.closing;
  }
}

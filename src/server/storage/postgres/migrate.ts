/**
 * Applying PG_SERVER_MIGRATIONS: the version is the highest row of `tilltap_schema`, each step is
 * one transaction together with its row, so a failure leaves the database at the last finished
 * step. Every transaction first takes a transaction-level advisory lock on this schema: two
 * servers (or a server and `tilltap server token create`) starting at once queue on it, and the
 * second reads the version again under the lock and finds nothing left to do.
 */
import type pg from 'pg';
import type { Migration } from '../../../store/migrations.js';
import { transaction } from './pool.js';

/** The lock's key: per schema, so that two tilltap databases in one PostgreSQL do not wait on each other. */
const LOCK = `SELECT pg_advisory_xact_lock(hashtextextended('tilltap.server.schema:' || coalesce(current_schema(), ''), 0))`;

async function lockedVersion(client: pg.PoolClient): Promise<number> {
  await client.query(LOCK);
  // Made under the lock: two concurrent CREATE TABLE IF NOT EXISTS can both try to create it.
  await client.query(`CREATE TABLE IF NOT EXISTS tilltap_schema (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const r = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM tilltap_schema');
  return r.rows[0]?.version ?? 0;
}

/** Brings the database to the latest version; returns it. Throws for a database from a newer tilltap. */
export async function migrate(pool: pg.Pool, location: string, migrations: readonly Migration[]): Promise<number> {
  const latest = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  const tooNew = (v: number): Error =>
    new Error(
      `${location} has schema version ${v}, newer than this tilltap knows (${latest}): ` +
        'it was written by a newer release. Upgrade tilltap, or use another database.',
    );
  const current = await transaction(pool, lockedVersion);
  if (current > latest) throw tooNew(current);
  for (const step of migrations) {
    if (step.version <= current) continue;
    await transaction(pool, async (client) => {
      const now = await lockedVersion(client);
      if (now > latest) throw tooNew(now);
      if (now >= step.version) return;
      if (now !== step.version - 1) throw new Error(`${location}: schema version ${now}, expected ${step.version - 1} before "${step.name}"`);
      await client.query(step.sql);
      await client.query('INSERT INTO tilltap_schema (version, name, applied_at) VALUES ($1, $2, $3)', [step.version, step.name, new Date().toISOString()]);
    });
  }
  return latest > current ? latest : current;
}

/**
 * PostgreSQL for the tests: vitest's globalSetup (vitest.config.ts) starts one throwaway cluster
 * for the whole run (scripts/lib/pg-cluster.ts: initdb in a temp dir, 127.0.0.1 on a free port,
 * as the `postgres` user when root) and stops and removes it afterwards; each test takes a fresh
 * schema (or, where a plain URL matters, a fresh database) in it.
 *
 * No binaries: with CI=true the run fails at once (the PostgreSQL backend must be tested in CI);
 * elsewhere the PostgreSQL tests are skipped and the run says so.
 *
 * The test database's default collation is ICU en-US where the server has ICU: an ordering that
 * leaned on the database's collation rather than the schema's COLLATE "C" shows up as a
 * difference from SQLite's byte order.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { findPgBinaries, startPgCluster, type PgCluster } from '../../scripts/lib/pg-cluster.js';

export interface PgProvided {
  /** The test database (null: no PostgreSQL on this machine). */
  readonly url: string | null;
  /** The cluster's maintenance database, for CREATE DATABASE. */
  readonly admin: string | null;
  /** Why there is none. */
  readonly why: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PgProvided;
  }
}

const TEST_DB = 'tilltap_test';

let cluster: PgCluster | undefined;

async function onAdmin<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

async function createDatabase(c: pg.Client, name: string): Promise<void> {
  try {
    await c.query(`CREATE DATABASE ${name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'`);
  } catch {
    // A server built without ICU (or older than 15): the cluster's own C collation.
    await c.query(`CREATE DATABASE ${name} TEMPLATE template0`);
  }
}

/** globalSetup: once per `vitest run`, in vitest's own process. */
export async function setup(project: TestProject): Promise<void> {
  const bins = findPgBinaries();
  if (!bins) {
    const why = 'no PostgreSQL server binaries (initdb, pg_ctl) on this machine: apt-get install postgresql, or set TILLTAP_PG_BIN';
    if (process.env.CI === 'true') throw new Error(`CI=true and ${why}. The PostgreSQL tests must run in CI (.ci/run installs it).`);
    console.warn(`\n*** PostgreSQL tests SKIPPED: ${why} ***\n`);
    project.provide('postgres', { url: null, admin: null, why });
    return;
  }
  cluster = await startPgCluster({ binaries: bins });
  const admin = cluster.url('postgres');
  await onAdmin(admin, (c) => createDatabase(c, TEST_DB));
  project.provide('postgres', { url: cluster.url(TEST_DB), admin, why: '' });
}

export async function teardown(): Promise<void> {
  await cluster?.stop();
  cluster = undefined;
}

// ---- in the test files ---------------------------------------------------------------------------

/** What globalSetup provided (call in a test file, not in globalSetup). */
export const postgres = (): PgProvided => inject('postgres');

const fresh = (prefix: string): string => `${prefix}_${randomUUID().replace(/-/g, '')}`;

/**
 * A URL of the test database whose connections see only a new, empty schema (search_path set
 * through the URL's `options`): one per test, quick to make, never shared.
 */
export async function freshPgSchemaUrl(): Promise<string> {
  const { url } = postgres();
  if (!url) throw new Error('no PostgreSQL for the tests');
  const schema = fresh('t');
  await onAdmin(url, (c) => c.query(`CREATE SCHEMA ${schema}`));
  return `${url}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

/** A new, empty database: a plain postgres://postgres@127.0.0.1:PORT/NAME URL. */
export async function freshPgDatabaseUrl(): Promise<string> {
  const { admin, url } = postgres();
  if (!admin || !url) throw new Error('no PostgreSQL for the tests');
  const name = fresh('db');
  await onAdmin(admin, (c) => createDatabase(c, name));
  return url.replace(new RegExp(`/${TEST_DB}$`), `/${name}`);
}

/** One query on its own connection, for checks below the storage interface. */
export async function pgQuery<R extends pg.QueryResultRow = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  return onAdmin(url, async (c) => (await c.query<R>(sql, params)).rows);
}

/**
 * The server's storage backends as the tests see them: every suite that goes through storage runs
 * once per backend (describeBackends). PostgreSQL is skipped, with its reason in the test name,
 * only where the machine has none and CI is not set (test/helpers/postgres.ts).
 */
import { join } from 'node:path';
import { describe } from 'vitest';
import { PostgresStorage } from '../../src/server/storage/postgres/index.js';
import { SqliteStorage } from '../../src/server/storage/sqlite/index.js';
import type { Storage } from '../../src/server/storage/types.js';
import { freshPgSchemaUrl, postgres } from '../helpers/postgres.js';
import { tempDir } from './helpers.js';

export interface Backend {
  readonly name: Storage['kind'];
  readonly available: boolean;
  /** A new, empty database: a SQLite file path, or a postgres:// URL. */
  fresh(): Promise<string>;
}

export const BACKENDS: readonly Backend[] = [
  { name: 'sqlite', available: true, fresh: async () => join(tempDir(), 'server.db') },
  { name: 'postgres', available: postgres().url !== null, fresh: freshPgSchemaUrl },
];

/** `describe(title [backend])` for each backend, with the same body. */
export function describeBackends(title: string, body: (backend: Backend) => void): void {
  for (const b of BACKENDS) {
    const name = b.available ? `${title} [${b.name}]` : `${title} [${b.name}: skipped, ${postgres().why}]`;
    describe.skipIf(!b.available)(name, () => body(b));
  }
}

/** Every row of a table, read below the storage interface (to check what is really stored). */
export async function tableRows(s: Storage, table: string): Promise<Array<Record<string, unknown>>> {
  if (s instanceof SqliteStorage) return s.db.prepare(`SELECT * FROM ${table}`).all() as Array<Record<string, unknown>>;
  if (s instanceof PostgresStorage) return (await s.pool.query(`SELECT * FROM ${table}`)).rows as Array<Record<string, unknown>>;
  throw new Error(`no raw access to ${s.kind}`);
}

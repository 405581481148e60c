/**
 * `--db URL`: a SQLite file path (the default; `sqlite:PATH` also works) or a `postgres://` URL.
 * Parsing is pure (parseDbUrl); openStorage does the I/O.
 */
import { resolve } from 'node:path';
import { SqliteStorage } from './sqlite/index.js';
import type { Storage } from './types.js';

/** Where the server keeps its data when neither --db nor the config file says. */
export const DEFAULT_DB = './tilltap-server.db';

export type DbTarget = { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string };

/** Thrown for a --db value that names no database we can open; the CLI reports it as bad usage. */
export class DbUrlError extends Error {
  override readonly name = 'DbUrlError';
}

export function parseDbUrl(value: string): DbTarget {
  const v = value.trim();
  if (v === '') throw new DbUrlError('--db is empty: give a SQLite file path or a postgres:// URL');
  if (/^postgres(?:ql)?:\/\//i.test(v)) return { kind: 'postgres', url: v };
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/i.exec(v);
  if (sqlite) return { kind: 'sqlite', file: sqlite[1]! };
  // A Windows path (C:\…) has a one-letter "scheme"; anything else with :// is a URL we do not know.
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(v)) {
    throw new DbUrlError(`--db ${redact(v)}: unknown database URL; give a SQLite file path or a postgres:// URL`);
  }
  return { kind: 'sqlite', file: v };
}

/** A URL fit for logs: the password replaced. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

export function openStorage(target: DbTarget): Storage {
  if (target.kind === 'postgres') {
    throw new DbUrlError(`PostgreSQL backend not built yet (${redact(target.url)}): use a SQLite file path for --db for now`);
  }
  return SqliteStorage.open(resolve(target.file));
}

/**
 * `--db URL`: a SQLite file path (the default; `sqlite:PATH` also works) or a `postgres://` /
 * `postgresql://` URL. Pure: open.ts does the I/O.
 */

/** Where the server keeps its data when neither --db nor the config file says. */
export const DEFAULT_DB = './tilltap-server.db';

export type DbTarget = { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string };

/** Thrown for a --db value that names no database we can open; the CLI reports it as bad usage (exit 2). */
export class DbUrlError extends Error {
  override readonly name = 'DbUrlError';
}

const PG_FORM = 'postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE';

export function parseDbUrl(value: string): DbTarget {
  const v = value.trim();
  if (v === '') throw new DbUrlError('--db is empty: give a SQLite file path or a postgres:// URL');
  if (/^postgres(?:ql)?:\/\//i.test(v)) return { kind: 'postgres', url: checkPostgresUrl(v) };
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/i.exec(v);
  if (sqlite) return { kind: 'sqlite', file: sqlite[1]! };
  // A Windows path (C:\…) has a one-letter "scheme"; anything else with :// is a URL we do not know.
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(v)) {
    throw new DbUrlError(`--db ${redact(v)}: unknown database URL; give a SQLite file path or a postgres:// URL`);
  }
  return { kind: 'sqlite', file: v };
}

/** What can be told without connecting: it parses as a URL (port a number in range) and names a host. */
function checkPostgresUrl(v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new DbUrlError(`--db ${redact(v)}: not a valid PostgreSQL URL; expected ${PG_FORM}`);
  }
  // A unix socket directory may be given as ?host=/run/postgresql instead of a host name.
  if (u.hostname === '' && !u.searchParams.get('host')) throw new DbUrlError(`--db ${redact(v)}: no host; expected ${PG_FORM}`);
  return v;
}

/** A URL fit for logs: the password replaced. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

/**
 * A throwaway PostgreSQL cluster for tests and benchmarks: initdb into a temp directory, then
 * pg_ctl start listening only on 127.0.0.1 (a free port) and on a unix socket inside that
 * directory; stop() ends it and removes the directory.
 *
 * PostgreSQL refuses to run as root: as root the binaries run as the `postgres` user (which the
 * Debian package creates) through runuser (or su), and the directory is given to that user.
 * The binaries are looked for in $TILLTAP_PG_BIN (only there, when set), then Debian's
 * /usr/lib/postgresql/<newest>/bin, `pg_config --bindir`, /usr/local/pgsql/bin and $PATH.
 * A cluster whose owning process died without stopping it is stopped by the next start.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, chownSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './net.js';

export interface PgBinaries {
  /** The directory holding initdb and pg_ctl. */
  readonly dir: string;
  readonly initdb: string;
  readonly pgCtl: string;
}

const executable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

function binariesIn(dir: string): PgBinaries | null {
  const initdb = join(dir, 'initdb');
  const pgCtl = join(dir, 'pg_ctl');
  return executable(initdb) && executable(pgCtl) ? { dir, initdb, pgCtl } : null;
}

/** Where initdb and pg_ctl are, or null when this machine has no PostgreSQL server binaries. */
export function findPgBinaries(env: NodeJS.ProcessEnv = process.env): PgBinaries | null {
  if (env.TILLTAP_PG_BIN) return binariesIn(env.TILLTAP_PG_BIN);
  const dirs: string[] = [];
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0 && pgConfig.stdout.trim()) dirs.push(pgConfig.stdout.trim());
  dirs.push('/usr/local/pgsql/bin', ...(env.PATH ?? '').split(delimiter).filter(Boolean));
  for (const dir of dirs) {
    const found = binariesIn(dir);
    if (found) return found;
  }
  return null;
}

export interface PgCluster {
  readonly port: number;
  /** The temp directory: data/, the unix socket, postgres.log. */
  readonly dir: string;
  /** A URL for the superuser `postgres` (trust authentication, 127.0.0.1 only) to a database. */
  url(database?: string): string;
  /** Stop the server and remove its directory; safe to call twice. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /**
   * fsync and synchronous commit on (the defaults of a real server), for a benchmark that
   * compares with SQLite at synchronous=FULL. Off by default: tests' data is thrown away.
   */
  readonly durable?: boolean;
  readonly binaries?: PgBinaries;
}

interface RunAs {
  /** Run a PostgreSQL binary as the user it will run as. */
  run(bin: string, args: readonly string[]): { status: number | null; output: string };
  /** Give a directory to that user. */
  own(dir: string): void;
}

function idOf(user: string, flag: '-u' | '-g'): number | null {
  const r = spawnSync('id', [flag, user], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.trim()) : null;
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function runAs(): RunAs {
  const collect = (r: ReturnType<typeof spawnSync>) => ({ status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` });
  if (process.getuid?.() !== 0) {
    return { run: (bin, args) => collect(spawnSync(bin, args, { encoding: 'utf8' })), own: () => {} };
  }
  const uid = idOf('postgres', '-u');
  const gid = idOf('postgres', '-g');
  if (uid === null || gid === null) {
    throw new Error('running as root, and there is no `postgres` user to run PostgreSQL as (PostgreSQL refuses root): create one, or install the postgresql package');
  }
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'].find(executable);
  return {
    run: (bin, args) =>
      collect(
        runuser
          ? spawnSync(runuser, ['-u', 'postgres', '--', bin, ...args], { encoding: 'utf8' })
          : spawnSync('su', ['postgres', '-s', '/bin/sh', '-c', [bin, ...args].map(shellQuote).join(' ')], { encoding: 'utf8' }),
      ),
    own: (dir) => chownSync(dir, uid, gid),
  };
}

const PREFIX = 'tilltap-pg-';
/** The process a cluster belongs to, written into its directory. */
const OWNER = 'owner.pid';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Clusters left behind by a run that was killed before it could stop them (its owner process is
 * gone): stopped and removed, so that crashed runs do not pile up servers. Others' are left alone.
 */
function sweepOrphans(bins: PgBinaries, as: RunAs): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(tmpdir(), name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, OWNER), 'utf8'));
    } catch {
      continue;
    }
    if (!Number.isInteger(owner) || owner <= 0 || alive(owner)) continue;
    if (existsSync(join(dir, 'data', 'postmaster.pid'))) as.run(bins.pgCtl, ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** initdb and start; throws with PostgreSQL's own words when either fails. */
export async function startPgCluster(opts: ClusterOptions = {}): Promise<PgCluster> {
  const bins = opts.binaries ?? findPgBinaries();
  if (!bins) throw new Error('no PostgreSQL server binaries (initdb, pg_ctl) found: apt-get install postgresql, or set TILLTAP_PG_BIN');
  const as = runAs();
  sweepOrphans(bins, as);
  const dir = mkdtempSync(join(tmpdir(), PREFIX));
  writeFileSync(join(dir, OWNER), String(process.pid));
  const data = join(dir, 'data');
  const log = join(dir, 'postgres.log');
  let started = false;
  const stopNow = (): void => {
    if (started) as.run(bins.pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
    started = false;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    as.own(dir);
    // C locale: the cluster's defaults do not depend on this machine's LANG.
    const init = as.run(bins.initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
    if (init.status !== 0) throw new Error(`initdb failed: ${init.output.trim()}`);
    const settings = ['-c listen_addresses=127.0.0.1', `-k ${dir}`, '-c max_connections=200'];
    if (!opts.durable) settings.push('-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off');
    // Another process may take the free port between freePort() and the bind: try a few.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const start = as.run(bins.pgCtl, ['-D', data, '-l', log, '-w', '-t', '60', '-o', [...settings, `-p ${port}`].join(' '), 'start']);
      if (start.status === 0) {
        started = true;
        return {
          port,
          dir,
          url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
          stop: async () => stopNow(),
        };
      }
      const why = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-5).join('\n') : start.output.trim();
      if (attempt >= 3 || !/already in use|could not bind/i.test(why)) throw new Error(`pg_ctl start failed: ${why}`);
    }
  } catch (err) {
    stopNow();
    throw err;
  }
}

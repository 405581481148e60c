import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/net.js';
import { freshPgDatabaseUrl, pgQuery } from '../helpers/postgres.js';
import { type Backend, describeBackends } from './backends.js';
import { decodedReceipts, device, item, receiptsBody, tempDir } from './helpers.js';

// The server as head office runs it: the built CLI (`npm test` builds first), a real socket on 127.0.0.1.
const BIN = resolve(import.meta.dirname, '../../dist/src/cli/main.js');
const tilltap = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function startServer(args: string[]): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawn(process.execPath, [BIN, 'server', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let log = '';
  return new Promise((res, rej) => {
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('"server listening"')) res({ child, log: () => log });
    });
    child.on('exit', (code) => rej(new Error(`server exited (${code}): ${log}`)));
  });
}

/** A database for the CLI: a SQLite file, or a PostgreSQL database of its own (a plain URL, as a user gives it). */
const freshDb = (backend: Backend): Promise<string> => (backend.name === 'postgres' ? freshPgDatabaseUrl() : backend.fresh());

/** Every row of a table, read beside the CLI (not through tilltap). */
async function rawRows(db: string, table: string): Promise<unknown[]> {
  if (db.startsWith('postgres')) return pgQuery(db, `SELECT * FROM ${table}`);
  const raw = new Database(db, { readonly: true });
  try {
    return raw.prepare(`SELECT * FROM ${table}`).all();
  } finally {
    raw.close();
  }
}

// 'close', not 'exit': the child's stderr may still hold its last log lines when it has exited.
const exited = (child: ChildProcess): Promise<number | null> => new Promise((res) => child.once('close', (code) => res(code)));

describeBackends('tilltap server token', (backend) => {
  it('create prints the token alone on the last line and stores only its hash; list and revoke round trip', async () => {
    const db = await freshDb(backend);
    const made = tilltap(['server', 'token', 'create', '--store', 'S001', '--db', db]);
    expect(made.code).toBe(0);
    const token = made.stdout.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^ttd_[A-Za-z0-9_-]{43}$/);
    expect(made.stderr).toMatch(/device token for store S001/);
    const dump = JSON.stringify(await rawRows(db, 'tokens'));
    expect(dump).toContain('S001');
    expect(dump).not.toContain(token);

    const user = tilltap(['server', 'token', 'create', '--user', 'finance', '--db', db, '--json']);
    expect(JSON.parse(user.stdout)).toMatchObject({ role: 'user', name: 'finance', store: null, token: expect.stringMatching(/^ttu_/) });

    const list = JSON.parse(tilltap(['server', 'token', 'list', '--json', '--db', db]).stdout) as Array<{ id: string; role: string; store: string | null; revoked_at: string | null }>;
    expect(list.map((t) => [t.role, t.store, t.revoked_at])).toEqual([
      ['device', 'S001', null],
      ['user', null, null],
    ]);
    const text = tilltap(['server', 'token', 'list', '--db', db]).stdout;
    expect(text).toMatch(/^ID\s+ROLE\s+STORE \/ USER\s+CREATED\s+REVOKED$/m);
    expect(text).toContain(list[0]!.id);

    const revoke = tilltap(['server', 'token', 'revoke', list[0]!.id, '--db', db]);
    expect(revoke.code).toBe(0);
    expect(revoke.stdout).toMatch(/revoked/);
    expect(JSON.parse(tilltap(['server', 'token', 'list', '--json', '--db', db]).stdout)[0].revoked_at).toMatch(/^\d{4}-/);
    expect(tilltap(['server', 'token', 'revoke', list[0]!.id, '--db', db]).stdout).toMatch(/already revoked/);
    const unknown = tilltap(['server', 'token', 'revoke', 'nope', '--db', db]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('tilltap server: bad --db and usage', () => {
  it('bad usage is exit 2 with one line', () => {
    const db = join(tempDir(), 'server.db');
    for (const args of [
      ['server', 'token', 'create', '--db', db],
      ['server', 'token', 'create', '--store', 'S1', '--user', 'ann', '--db', db],
      ['server', 'token', 'create', '--store', 'no spaces', '--db', db],
      ['server', 'receipts', 'list', '--date', '2026-1-1', '--db', db],
      ['server', '--db', 'postgres://tilltap:pw@[127.0.0.1/tilltap'],
      ['server', 'token', 'create', '--store', 'S1', '--db', 'postgresql://tilltap:pw@127.0.0.1:99999/tilltap'],
      ['server', '--listen', 'nowhere'],
      ['server', '--db', 'mysql://127.0.0.1/x'],
    ]) {
      const r = tilltap(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    const malformed = tilltap(['server', '--db', 'postgres://tilltap:pw@[127.0.0.1/tilltap']).stderr;
    expect(malformed).toMatch(/not a valid PostgreSQL URL/);
    expect(malformed).not.toContain(':pw@');
  });

  it('a PostgreSQL server that cannot be reached is a runtime failure (exit 1), one line, no password', async () => {
    const port = await freePort();
    const url = `postgres://tilltap:pw@127.0.0.1:${port}/tilltap`;
    for (const args of [
      ['server', 'token', 'create', '--store', 'S001', '--db', url],
      ['server', 'receipts', 'list', '--db', url],
      ['server', '--listen', '127.0.0.1:0', '--db', url],
    ]) {
      const r = tilltap(args);
      expect(r.code, args.join(' ')).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`cannot open the database postgres://tilltap:\\*\\*\\*@127\\.0\\.0\\.1:${port}/tilltap: .*ECONNREFUSED`));
      expect(r.stderr).not.toContain(':pw@');
    }
  });
});

describeBackends('tilltap server', (backend) => {
  it('listens on 127.0.0.1, ingests over HTTP, lists for the CLI meanwhile, refuses a token revoked meanwhile, stops on SIGTERM', async () => {
    const db = await freshDb(backend);
    const token = tilltap(['server', 'token', 'create', '--store', 'S001', '--db', db]).stdout.trim().split('\n').at(-1)!;
    const port = await freePort();
    const { child, log } = await startServer(['--listen', `127.0.0.1:${port}`, '--db', db]);
    const base = `http://127.0.0.1:${port}`;

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', db: backend.name });
    expect(log()).toMatch(/"msg":"server listening"/);

    const items = decodedReceipts(3).map((r, i) => item(r, { seq: i + 1 }));
    const post = (body: Buffer) =>
      fetch(`${base}/api/v1/receipts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-encoding': 'gzip', 'idempotency-key': 'batch-1' },
        body,
      });
    const body = gzipSync(JSON.stringify(receiptsBody(items, device({ terminal: 'T09' }))));
    const res = await post(body);
    expect(res.status).toBe(200);
    const first = await res.text();
    expect(JSON.parse(first).accepted).toEqual(items.map((i) => i.id));
    // The agent's retry of the same batch (its answer lost) gets the same answer back.
    const retry = await post(body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.text()).toBe(first);

    const listed = tilltap(['server', 'receipts', 'list', '--json', '--db', db]);
    expect(listed.code).toBe(0);
    const got = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    expect(got.map((r) => r.id)).toEqual(items.map((i) => i.id));
    expect(got[0]).toMatchObject({ store: 'S001', terminal: 'T09', synced: true, revision: 0, printer: 'front', print_status: 'ok' });
    expect((got[0]!.fields as Record<string, unknown>).terminal_id).toBe('10086001');
    const table = tilltap(['server', 'receipts', 'list', '--db', db, '--store', 'S001']).stdout;
    expect(table).toMatch(/^STORE\s+ID\s+CAPTURED/);
    expect(table).toMatch(/3 receipts\n$/);
    expect(tilltap(['server', 'receipts', 'list', '--db', db, '--store', 'S002']).stdout).toMatch(/no receipts/);

    const id = (JSON.parse(tilltap(['server', 'token', 'list', '--json', '--db', db]).stdout) as Array<{ id: string }>)[0]!.id;
    expect(tilltap(['server', 'token', 'revoke', id, '--db', db]).code).toBe(0);
    const refused = await post(gzipSync(JSON.stringify(receiptsBody(items))));
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.code).toBe('UNAUTHORIZED');

    const done = exited(child);
    child.kill('SIGTERM');
    expect(await done).toBe(0);
    expect(log()).toMatch(/"msg":"stopped"/);
  });
});

describe('tilltap server: listening', () => {
  it('a port in use is a runtime failure (exit 1), one line', async () => {
    const port = await freePort();
    const db = join(tempDir(), 'server.db');
    const { child } = await startServer(['--listen', `127.0.0.1:${port}`, '--db', db]);
    const second = tilltap(['server', '--listen', `127.0.0.1:${port}`, '--db', join(tempDir(), 'other.db')]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/in use/);
    const done = exited(child);
    child.kill('SIGINT');
    expect(await done).toBe(0);
  });
});

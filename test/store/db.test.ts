import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, type Migration } from '../../src/store/migrations.js';
import { DB_FILE, LATEST_VERSION, Store } from '../../src/store/index.js';
import { openStore, tempDir } from './helpers.js';

describe('opening the store', () => {
  it('runs in WAL mode with synchronous=FULL, foreign keys, a busy timeout and secure delete', () => {
    const dir = tempDir();
    const store = openStore(join(dir, 'nested', 'data'));
    const p = (name: string): unknown => store.db.pragma(name, { simple: true });
    expect(p('journal_mode')).toBe('wal');
    expect(p('synchronous')).toBe(2); // FULL
    expect(p('foreign_keys')).toBe(1);
    expect(p('busy_timeout')).toBe(5000);
    expect(p('secure_delete')).toBe(1);
    expect(p('auto_vacuum')).toBe(2); // INCREMENTAL
    store.beginSession({ session: 's', printer: 'p', peer: 'x', t: 1 });
    // A real file with a real WAL beside it (not :memory:).
    expect(existsSync(join(dir, 'nested', 'data', DB_FILE))).toBe(true);
    expect(existsSync(join(dir, 'nested', 'data', `${DB_FILE}-wal`))).toBe(true);
  });

  it('migrates an empty file to the latest schema', () => {
    const dir = tempDir();
    writeFileSync(join(dir, DB_FILE), ''); // an empty file is an empty SQLite database
    const store = openStore(dir);
    expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    const tables = store.db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => r.name);
    expect(tables).toEqual(['chunks', 'counters', 'device', 'health_events', 'health_outbox', 'outbox', 'printer_state', 'receipts', 'sessions', 'spool_mark', 'sync_state']);
  });

  it('reopens an existing file without migrating again, data kept', () => {
    const dir = tempDir();
    const a = Store.open(dir);
    a.beginSession({ session: 's', printer: 'p', peer: 'x', t: 1 });
    a.close();
    a.close(); // twice is fine
    const b = openStore(dir);
    expect(b.sessions().map((s) => s.session)).toEqual(['s']);
    expect(b.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
  });

  it('refuses a file written by a newer release, with a clear message, and leaves it alone', () => {
    const dir = tempDir();
    Store.open(dir).close();
    const raw = new Database(join(dir, DB_FILE));
    raw.pragma(`user_version = ${LATEST_VERSION + 5}`);
    raw.close();
    expect(() => Store.open(dir)).toThrow(/schema version \d+, newer than this tilltap knows.*Upgrade tilltap/);
    const again = new Database(join(dir, DB_FILE));
    expect(again.pragma('user_version', { simple: true })).toBe(LATEST_VERSION + 5);
    again.close();
  });

  it('applies each step in its own transaction: a failing step leaves the file at the step before', () => {
    const dir = tempDir();
    const db = new Database(join(dir, 'm.db'));
    const steps: Migration[] = [
      { version: 1, name: 'one', sql: 'CREATE TABLE a (x INTEGER);' },
      { version: 2, name: 'two', sql: 'CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);' },
    ];
    expect(() => migrate(db, 'm.db', steps)).toThrow(/nowhere/);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    const names = db.prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table'").all();
    expect(names.map((n) => n.name)).toEqual(['a']); // b was rolled back with its step
    // Fixed step: the next run continues from version 1.
    expect(migrate(db, 'm.db', [steps[0]!, { version: 2, name: 'two', sql: 'CREATE TABLE b (x INTEGER);' }])).toBe(2);
    db.close();
  });

  it('lets a second connection (a receipts command) read while the store writes', () => {
    const dir = tempDir();
    const agent = openStore(dir);
    const cli = openStore(dir);
    agent.beginSession({ session: 's', printer: 'p', peer: 'x', t: 1 });
    agent.appendChunk('p', { session: 's', dir: 'to-printer', bytes: Buffer.from('hello'), t: 2 });
    expect(cli.readStream('s', 'to-printer').toString()).toBe('hello');
  });
});

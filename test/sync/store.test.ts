/** The store's side of sync: device id, revisions, taking batches, failures, parking, retention. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DB_FILE, LATEST_VERSION, MIGRATIONS, RECEIPT_ENVELOPE_BYTES, Store } from '../../src/store/index.js';
import { migrate } from '../../src/store/migrations.js';
import { addHealthEvents, addReceipts, jsonReceipt, openStore, tempDir } from '../helpers/sync.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DAY = 86_400_000;
/** The sync step's version (the lead renumbers steps at merge): files "from before sync" stop short of it. */
const SYNC_STEP = MIGRATIONS.find((m) => m.name.startsWith('sync:'))!.version;
const BEFORE_SYNC = MIGRATIONS.filter((m) => m.version < SYNC_STEP);

function outboxRow(store: Store, id: string): { attempts: number; next_attempt_at: number; last_error: string | null; parked_at: number | null } | undefined {
  return store.db
    .prepare<[string], { attempts: number; next_attempt_at: number; last_error: string | null; parked_at: number | null }>(
      'SELECT attempts, next_attempt_at, last_error, parked_at FROM outbox WHERE receipt_id = ?',
    )
    .get(id);
}

describe('device id', () => {
  it('is a v4 UUID made once per data directory, the same after reopening', () => {
    const dir = tempDir();
    const a = Store.open(dir);
    const id = a.deviceId();
    a.close();
    expect(id).toMatch(UUID_V4);
    expect(openStore(dir).deviceId()).toBe(id);
    expect(openStore(tempDir()).deviceId()).not.toBe(id);
  });

  it('a file from before sync is upgraded: receipts at revision 0, their outbox rows ready', () => {
    const dir = tempDir();
    const db = new Database(join(dir, DB_FILE));
    db.pragma('journal_mode = WAL');
    migrate(db, 'old', BEFORE_SYNC);
    db.exec(`INSERT INTO sessions (session, printer, peer, started_at) VALUES ('s', 'front', 'x', 0);
      INSERT INTO receipts (id, device_seq, printer, session, start_pos, end_pos, captured_at, captured_ms, print_status, json, sha256)
        VALUES ('r1', 1, 'front', 's', 0, 10, '2026-03-01T10:00:00+08:00', 0, 'ok', '{}', 'h');
      INSERT INTO outbox (receipt_id, next_attempt_at) VALUES ('r1', 0);`);
    db.close();
    const store = openStore(dir);
    expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(store.deviceId()).toMatch(UUID_V4);
    expect(store.getReceipt('r1')!.revision).toBe(0);
    expect(store.takeReceiptBatch({ maxCount: 10, maxBytes: 1 << 20 }).map((r) => r.id)).toEqual(['r1']);
    expect(store.syncStatus()).toMatchObject({ backlog: 1, parked: 0, lastSuccessAt: null, lastError: null });
  });
});

describe('taking batches', () => {
  it('in queue order, by count and by bytes, never more than one row over the byte limit', () => {
    const store = openStore(tempDir());
    const ids = addReceipts(store, 10);
    expect(store.takeReceiptBatch({ maxCount: 4, maxBytes: 1 << 20 }).map((r) => r.id)).toEqual(ids.slice(0, 4));
    const all = store.takeReceiptBatch({ maxCount: 10, maxBytes: 1 << 20 });
    const size = (k: number): number => Buffer.byteLength(all[k]!.json) + RECEIPT_ENVELOPE_BYTES + all[k]!.printer.length + all[k]!.capturedAt.length;
    const three = size(0) + size(1) + size(2);
    expect(store.takeReceiptBatch({ maxCount: 10, maxBytes: three })).toHaveLength(3);
    expect(store.takeReceiptBatch({ maxCount: 10, maxBytes: three - 1 })).toHaveLength(2);
    const one = all[0]!;
    // A row larger than the limit still goes, alone.
    expect(store.takeReceiptBatch({ maxCount: 10, maxBytes: 1 })).toHaveLength(1);
    expect(one).toMatchObject({ id: ids[0], seq: 1, revision: 0, printer: 'front', printStatus: 'ok', attempts: 0 });
    expect(JSON.parse(one.json)).toEqual(store.getReceipt(ids[0]!)!.receipt);
    expect(() => store.takeReceiptBatch({ maxCount: 0, maxBytes: 10 })).toThrow(/maxCount/);
  });

  it('skips rows not yet due and parked rows', () => {
    const store = openStore(tempDir());
    const ids = addReceipts(store, 4);
    const now = Date.now();
    store.recordSyncFailure('receipts', [ids[0]!], { code: 'SYNC_ROW_REJECTED', message: 'no', at: now, nextAttemptAt: now + 60_000 }, { rowsOnly: true });
    store.settleReceipts([], [{ id: ids[1]!, reason: 'conflict' }], now);
    expect(store.takeReceiptBatch({ maxCount: 10, maxBytes: 1 << 20, now }).map((r) => r.id)).toEqual(ids.slice(2));
    expect(store.takeReceiptBatch({ maxCount: 10, maxBytes: 1 << 20, now: now + 60_000 }).map((r) => r.id)).toEqual([ids[0], ...ids.slice(2)]);
  });
});

describe('failures, answers, parking', () => {
  it('a failure is persisted for the kind and its rows, and holds across reopening', () => {
    const dir = tempDir();
    const store = Store.open(dir);
    const ids = addReceipts(store, 3);
    const at = Date.now();
    store.recordSyncFailure('receipts', ids.slice(0, 2), { code: 'SYNC_NETWORK', message: 'ECONNREFUSED', at, nextAttemptAt: at + 30_000 });
    store.recordSyncFailure('receipts', ids.slice(0, 2), { code: 'SYNC_SERVER_ERROR', message: '503', at: at + 1, nextAttemptAt: at + 90_000 });
    store.close();
    const again = openStore(dir);
    expect(again.syncState('receipts')).toMatchObject({
      failures: 2,
      nextAttemptAt: at + 90_000,
      lastAttemptAt: at + 1,
      lastError: { code: 'SYNC_SERVER_ERROR', message: '503', at: at + 1 },
    });
    // The rows record the attempts; the kind's backoff (not theirs) holds them back.
    expect(outboxRow(again, ids[0]!)).toMatchObject({ attempts: 2, last_error: 'SYNC_SERVER_ERROR: 503' });
    expect(outboxRow(again, ids[0]!)!.next_attempt_at).toBeLessThanOrEqual(at);
    expect(outboxRow(again, ids[2]!)).toMatchObject({ attempts: 0, last_error: null });
    // The kind waits even though a row (ids[2]) is due.
    expect(again.nextSyncDue('receipts')).toBe(at + 90_000);
    again.recordSyncSuccess('receipts', { at: at + 100_000, clockOffsetMs: -1200 });
    expect(again.syncState('receipts')).toMatchObject({ failures: 0, nextAttemptAt: 0, lastSuccessAt: at + 100_000, clockOffsetMs: -1200 });
    // The last error stays on record (with its time) for status.
    expect(again.syncState('receipts').lastError?.code).toBe('SYNC_SERVER_ERROR');
  });

  it('settles only what was sent: a redecode during the flight stays queued as a new revision', () => {
    const store = openStore(tempDir());
    const [a, b] = addReceipts(store, 2);
    const sent = store.takeReceiptBatch({ maxCount: 10, maxBytes: 1 << 20 });
    expect(store.updateDecoded(b!, jsonReceipt(99))).toBe(true);
    const r = store.settleReceipts(sent.map((s) => ({ id: s.id, sha256: s.sha256 })), [], Date.now());
    expect(r).toEqual({ synced: 1, parked: 0 });
    expect(store.getReceipt(a!)!.synced).toBe(true);
    expect(store.getReceipt(b!)).toMatchObject({ synced: false, revision: 1 });
    expect(store.takeReceiptBatch({ maxCount: 10, maxBytes: 1 << 20 }).map((x) => [x.id, x.revision])).toEqual([[b, 1]]);
  });

  it('revision goes up only when a redecode changes the content', () => {
    const store = openStore(tempDir());
    const [a] = addReceipts(store, 1);
    const r = store.getReceipt(a!)!;
    expect(store.updateDecoded(a!, r.receipt)).toBe(false);
    expect(store.getReceipt(a!)!.revision).toBe(0);
    store.updateDecoded(a!, jsonReceipt(5));
    store.updateDecoded(a!, jsonReceipt(6));
    expect(store.getReceipt(a!)!.revision).toBe(2);
  });

  it('parked rows show in status and are un-parked only by new content (a redecode)', () => {
    const store = openStore(tempDir());
    const [a, b] = addReceipts(store, 2);
    const at = Date.now();
    expect(store.settleReceipts([], [{ id: a!, reason: 'the server holds other content' }], at)).toEqual({ synced: 0, parked: 1 });
    expect(store.parkedReceipts()).toEqual([{ id: a, parkedAt: at, reason: 'the server holds other content' }]);
    expect(store.syncStatus()).toMatchObject({ backlog: 1, parked: 1 });
    // A failure of the kind does not touch a parked row.
    store.recordSyncFailure('receipts', [a!, b!], { code: 'SYNC_NETWORK', message: 'x', at, nextAttemptAt: at });
    expect(outboxRow(store, a!)).toMatchObject({ attempts: 0, parked_at: at });
    store.updateDecoded(a!, jsonReceipt(42));
    expect(outboxRow(store, a!)).toMatchObject({ attempts: 0, parked_at: null });
    expect(store.syncStatus()).toMatchObject({ backlog: 2, parked: 0 });
  });

  it('status: backlog, oldest unsynced, parked, last success and error, next attempt, offset', () => {
    const store = openStore(tempDir());
    expect(store.syncStatus()).toEqual({
      deviceId: store.deviceId(),
      backlog: 0,
      oldestUnsyncedAt: null,
      parked: 0,
      lastSuccessAt: null,
      lastError: null,
      nextAttemptAt: null,
      clockOffsetMs: null,
      kinds: {
        receipts: { backlog: 0, parked: 0, lastAttemptAt: null, lastSuccessAt: null, lastError: null, failures: 0, nextAttemptAt: null },
        'health-events': { backlog: 0, parked: 0, lastAttemptAt: null, lastSuccessAt: null, lastError: null, failures: 0, nextAttemptAt: null },
      },
    });
    const ids = addReceipts(store, 3);
    const first = store.getReceipt(ids[0]!)!;
    const at = Date.now();
    store.recordSyncFailure('receipts', ids, { code: 'SYNC_TIMEOUT', message: 'no answer', at, nextAttemptAt: at + 5000 });
    expect(store.syncStatus()).toMatchObject({
      backlog: 3,
      oldestUnsyncedAt: first.capturedAt,
      lastError: { code: 'SYNC_TIMEOUT', message: 'no answer', at },
      nextAttemptAt: at + 5000,
    });
  });
});

describe('retention and the outbox', () => {
  it('never deletes an unsynced or a parked receipt, nor the journal behind it', () => {
    const store = openStore(tempDir());
    const old = addReceipts(store, 4);
    const waiting = old[0]!;
    const parked = old[1]!;
    const synced = old.slice(2);
    store.settleReceipts(
      synced.map((id) => ({ id, sha256: store.getReceipt(id)!.sha256 })),
      [{ id: parked, reason: 'conflict' }],
    );
    // Even a row marked synced by hand while still in the outbox is kept: the outbox row rules.
    store.db.prepare('UPDATE receipts SET synced = 1 WHERE id = ?').run(parked);
    const future = Date.now() + 400 * DAY;
    const gone = store.prune({ olderThanDays: 1, now: future });
    expect(gone.receipts).toBe(2);
    expect(gone.sessions).toBe(0); // the journal stays: its session still has receipts to send
    expect(store.getReceipt(waiting)).not.toBeNull();
    expect(store.getReceipt(parked)).not.toBeNull();
    for (const id of synced) expect(store.getReceipt(id)).toBeNull();
    expect(store.readStream(store.getReceipt(waiting)!.session, 'to-printer').length).toBe(40);
    expect(store.syncStatus()).toMatchObject({ backlog: 1, parked: 1 });
  });
});

describe('endpoint', () => {
  it('a backoff earned with one server and token is dropped when they change, kept when not', () => {
    const store = openStore(tempDir());
    expect(store.useSyncEndpoint('receipts', 'A')).toBe(false);
    const at = Date.now();
    store.recordSyncFailure('receipts', [], { code: 'SYNC_UNAUTHORIZED', message: '401', at, nextAttemptAt: at + 3_600_000 });
    expect(store.useSyncEndpoint('receipts', 'A')).toBe(false);
    expect(store.syncState('receipts').nextAttemptAt).toBe(at + 3_600_000);
    expect(store.useSyncEndpoint('receipts', 'B')).toBe(true);
    expect(store.syncState('receipts')).toMatchObject({ nextAttemptAt: 0, failures: 0, lastError: { code: 'SYNC_UNAUTHORIZED' } });
    expect(store.useSyncEndpoint('receipts', 'B')).toBe(false);
  });
});

describe('health events outbox', () => {
  it('every recorded event is queued in the same transaction; marking it synced, by anyone, takes it out', () => {
    const store = openStore(tempDir());
    const ids = addHealthEvents(store, 5);
    expect(ids).toHaveLength(5);
    const batch = store.takeHealthBatch({ maxCount: 3, maxBytes: 1 << 20 });
    expect(batch.map((b) => b.event.id)).toEqual(ids.slice(0, 3));
    expect(batch[1]!.event).toMatchObject({ printer: 'front', kind: 'paper', state: 'ok', previous: 'out', durationMs: 60_000, synced: false });
    expect(store.syncStatus().kinds['health-events']).toMatchObject({ backlog: 5, parked: 0 });
    expect(store.settleHealthEvents(ids.slice(0, 2))).toEqual({ synced: 2, parked: 0 });
    // The health module's own markHealthSynced empties the outbox too (a trigger).
    expect(store.markHealthSynced([ids[2]!])).toBe(1);
    expect(store.takeHealthBatch({ maxCount: 10, maxBytes: 1 << 20 }).map((b) => b.event.id)).toEqual(ids.slice(3));
    expect(store.listHealthEvents({ synced: false }).map((e) => e.id)).toEqual(ids.slice(3));
    // A failure of the kind is recorded on its rows and its state, apart from the receipts'.
    const at = Date.now();
    store.recordSyncFailure('health-events', ids.slice(3), { code: 'SYNC_NETWORK', message: 'down', at, nextAttemptAt: at + 1000 });
    expect(store.syncState('health-events').failures).toBe(1);
    expect(store.syncState('receipts').failures).toBe(0);
  });

  it('unsynced events recorded before the upgrade are queued by it', () => {
    const dir = tempDir();
    const db = new Database(join(dir, DB_FILE));
    db.pragma('journal_mode = WAL');
    migrate(db, 'old', BEFORE_SYNC);
    db.exec(`INSERT INTO health_events (id, seq, printer, at, at_ms, kind, state) VALUES
      ('e1', 1, 'front', '2026-03-01T10:00:00+08:00', 1, 'paper', 'out'),
      ('e2', 2, 'front', '2026-03-01T10:01:00+08:00', 2, 'paper', 'ok');
      UPDATE health_events SET synced = 1 WHERE id = 'e1';`);
    db.close();
    const store = openStore(dir);
    expect(store.takeHealthBatch({ maxCount: 10, maxBytes: 1 << 20 }).map((b) => b.event.id)).toEqual(['e2']);
  });
});

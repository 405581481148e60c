import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex, Store } from '../../src/store/index.js';
import { journal, jsonReceipt, openStore, T0, tempDir } from './helpers.js';

const AT = '2026-03-01T10:00:05+08:00';

function count(store: Store, table: string): number {
  return (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

describe('receipts', () => {
  it('commits a receipt, its outbox row and decoded_to together', () => {
    const store = openStore();
    journal(store, 's', 'x'.repeat(100));
    const r = store.commitReceipt({
      session: 's',
      printer: 'front',
      start: 0,
      end: 60,
      capturedAt: AT,
      receipt: jsonReceipt(0, 60),
      printStatus: 'ok',
    })!;
    expect(r.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(r).toMatchObject({ deviceSeq: 1, printer: 'front', session: 's', start: 0, end: 60, capturedAt: AT, synced: false });
    expect(r.receipt).toEqual(jsonReceipt(0, 60));
    expect(r.sha256).toBe(sha256Hex(canonicalJson(jsonReceipt(0, 60))));
    expect(store.session('s')!.decodedTo).toBe(60);
    const outbox = store.db.prepare('SELECT receipt_id, attempts, last_error FROM outbox').all();
    expect(outbox).toEqual([{ receipt_id: r.id, attempts: 0, last_error: null }]);
    expect(store.getReceipt(r.id)).toEqual(r);
  });

  it('is all or nothing: if the outbox insert fails, the receipt, sequence and decoded_to are not there', () => {
    const store = openStore();
    journal(store, 's', 'x'.repeat(100));
    store.db.exec("CREATE TRIGGER outbox_full BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox refused'); END");
    const input = { session: 's', printer: 'front', start: 0, end: 60, capturedAt: AT, receipt: jsonReceipt(0, 60), printStatus: 'ok' } as const;
    expect(() => store.commitReceipt(input)).toThrow(/outbox refused/);
    expect(count(store, 'receipts')).toBe(0);
    expect(count(store, 'outbox')).toBe(0);
    expect(store.session('s')!.decodedTo).toBe(0);
    expect(store.db.inTransaction).toBe(false);
    // The failed attempt used no sequence number.
    store.db.exec('DROP TRIGGER outbox_full');
    expect(store.commitReceipt(input)!.deviceSeq).toBe(1);
  });

  it('commits the same (session, start) once: a replay returns null and doubles nothing', () => {
    const store = openStore();
    journal(store, 's', 'x'.repeat(100));
    const input = { session: 's', printer: 'front', start: 10, end: 60, capturedAt: AT, receipt: jsonReceipt(10, 60), printStatus: 'ok' } as const;
    const first = store.commitReceipt(input)!;
    expect(store.commitReceipt(input)).toBeNull();
    expect(store.commitReceipt({ ...input, end: 70, receipt: jsonReceipt(10, 70) })).toBeNull();
    expect(store.listReceipts()).toEqual([first]);
    expect(count(store, 'outbox')).toBe(1);
    // The same start in another session is another receipt.
    journal(store, 't', 'y'.repeat(100));
    expect(store.commitReceipt({ ...input, session: 't' })!.deviceSeq).toBe(2);
  });

  it('numbers receipts 1, 2, 3… per device, strictly increasing across reopening and pruning', () => {
    const dir = tempDir();
    let store = Store.open(dir);
    const seqs: number[] = [];
    for (let round = 0; round < 3; round++) {
      const session = `s${round}`;
      journal(store, session, 'x'.repeat(100));
      for (let k = 0; k < 4; k++) {
        const start = k * 20;
        seqs.push(
          store.commitReceipt({ session, printer: 'front', start, end: start + 20, capturedAt: AT, receipt: jsonReceipt(start, start + 20), printStatus: 'ok' })!
            .deviceSeq,
        );
      }
      // Everything synced and pruned: the counter must not restart from max(device_seq) + 1.
      store.markSynced(store.listReceipts().map((r) => r.id));
      store.endSession(session, T0);
      store.markDecoded(session, 100);
      store.prune({ olderThanDays: 1, now: Date.parse(AT) + 10 * 86_400_000 });
      expect(store.listReceipts()).toEqual([]);
      store.close();
      store = Store.open(dir);
    }
    store.close();
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('lists oldest first, by printer, after a sequence number, with a limit', () => {
    const store = openStore();
    journal(store, 'a', 'x'.repeat(100), 'front');
    journal(store, 'b', 'x'.repeat(100), 'back');
    for (let k = 0; k < 3; k++) {
      for (const [session, printer] of [['a', 'front'], ['b', 'back']] as const) {
        store.commitReceipt({ session, printer, start: k * 10, end: k * 10 + 10, capturedAt: AT, receipt: jsonReceipt(k * 10, k * 10 + 10), printStatus: 'ok' });
      }
    }
    expect(store.listReceipts().map((r) => r.deviceSeq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(store.listReceipts({ printer: 'back' }).map((r) => r.deviceSeq)).toEqual([2, 4, 6]);
    expect(store.listReceipts({ afterSeq: 2, limit: 3 }).map((r) => r.deviceSeq)).toEqual([3, 4, 5]);
    store.markSynced([store.listReceipts()[0]!.id]);
    expect(store.listReceipts({ synced: false }).map((r) => r.deviceSeq)).toEqual([2, 3, 4, 5, 6]);
    expect(() => store.commitReceipt({ session: 'a', printer: 'back', start: 50, end: 60, capturedAt: AT, receipt: jsonReceipt(50, 60), printStatus: 'ok' })).toThrow(
      /belongs to printer "front"/,
    );
    expect(() => store.commitReceipt({ session: 'zz', printer: 'front', start: 0, end: 1, capturedAt: AT, receipt: jsonReceipt(0, 1), printStatus: 'ok' })).toThrow(
      /no session zz/,
    );
  });

  it('finds a receipt by a unique id prefix of at least 8 characters', () => {
    const store = openStore();
    journal(store, 's', 'x'.repeat(100));
    const r = store.commitReceipt({ session: 's', printer: 'front', start: 0, end: 10, capturedAt: AT, receipt: jsonReceipt(0, 10), printStatus: 'suspect' })!;
    expect(store.getReceipt(r.id.slice(0, 8))!.id).toBe(r.id);
    expect(store.getReceipt(r.id.slice(0, 13).toUpperCase())!.printStatus).toBe('suspect');
    expect(store.getReceipt('00000000-dead')).toBeNull();
    expect(() => store.getReceipt(r.id.slice(0, 7))).toThrow(/at least 8/);
    // Two ids sharing a prefix: the prefix is ambiguous. (Synced first: ids never change, the
    // outbox's foreign key holds them.)
    store.markSynced([r.id]);
    store.db.prepare('UPDATE receipts SET id = ? WHERE id = ?').run('abcdef01-0000-4000-8000-000000000001', r.id);
    store.commitReceipt({ session: 's', printer: 'front', start: 10, end: 20, capturedAt: AT, receipt: jsonReceipt(10, 20), printStatus: 'ok' });
    const second = store.listReceipts()[1]!;
    store.markSynced([second.id]);
    store.db.prepare('UPDATE receipts SET id = ? WHERE id = ?').run('abcdef01-0000-4000-8000-000000000002', second.id);
    expect(() => store.getReceipt('abcdef01')).toThrow(/ambiguous/);
    expect(store.getReceipt('abcdef01-0000-4000-8000-000000000002')!.start).toBe(10);
  });

  it('redecode keeps the id; changed content is unsynced and queued again, the same content is not', () => {
    const store = openStore();
    journal(store, 's', 'x'.repeat(100));
    const r = store.commitReceipt({ session: 's', printer: 'front', start: 0, end: 10, capturedAt: AT, receipt: jsonReceipt(0, 10), printStatus: 'ok' })!;
    expect(store.markSynced([r.id])).toBe(1);
    expect(count(store, 'outbox')).toBe(0);
    // Key order does not change the hash: same content, nothing to do.
    const reordered = Object.fromEntries(Object.entries(jsonReceipt(0, 10)).reverse()) as ReturnType<typeof jsonReceipt>;
    expect(store.updateDecoded(r.id, reordered)).toBe(false);
    expect(store.getReceipt(r.id)!.synced).toBe(true);

    expect(store.updateDecoded(r.id, jsonReceipt(0, 10, 'TOTAL 2.00\n'))).toBe(true);
    const after = store.getReceipt(r.id)!;
    expect(after).toMatchObject({ id: r.id, deviceSeq: 1, synced: false });
    expect(after.receipt.text).toBe('TOTAL 2.00\n');
    expect(after.sha256).not.toBe(r.sha256);
    expect(count(store, 'outbox')).toBe(1);
    expect(() => store.updateDecoded('nope', jsonReceipt(0, 1))).toThrow(/no receipt nope/);
  });

  it('marks synced only the content that was sent when given its hash', () => {
    const store = openStore();
    journal(store, 's', 'x'.repeat(100));
    const r = store.commitReceipt({ session: 's', printer: 'front', start: 0, end: 10, capturedAt: AT, receipt: jsonReceipt(0, 10), printStatus: 'ok' })!;
    // A redecode changed it while the batch was in flight.
    store.updateDecoded(r.id, jsonReceipt(0, 10, 'changed\n'));
    expect(store.markSynced([{ id: r.id, sha256: r.sha256 }])).toBe(0);
    expect(store.getReceipt(r.id)!.synced).toBe(false);
    const now = store.getReceipt(r.id)!;
    expect(store.markSynced([{ id: r.id, sha256: now.sha256 }, 'unknown-id'])).toBe(1);
    expect(store.markSynced([r.id])).toBe(0); // already synced
  });

  it('reports stats', () => {
    const store = openStore();
    expect(store.stats()).toEqual({ receipts: 0, unsynced: 0, sessions: 0, journalBytes: 0, lastCaptureAt: null, lastChunkAt: null });
    journal(store, 's', 'x'.repeat(100));
    store.appendChunk('front', { session: 's', dir: 'from-printer', bytes: Buffer.from([0x12]), t: T0 + 7 });
    const a = store.commitReceipt({ session: 's', printer: 'front', start: 0, end: 10, capturedAt: AT, receipt: jsonReceipt(0, 10), printStatus: 'ok' })!;
    store.commitReceipt({ session: 's', printer: 'front', start: 10, end: 20, capturedAt: '2026-03-01T10:01:00+08:00', receipt: jsonReceipt(10, 20), printStatus: 'ok' });
    store.markSynced([a.id]);
    expect(store.stats()).toEqual({
      receipts: 2,
      unsynced: 1,
      sessions: 1,
      journalBytes: 101,
      lastCaptureAt: '2026-03-01T10:01:00+08:00',
      lastChunkAt: T0 + 7,
    });
  });

  it('rejects bad input before touching the file', () => {
    const store = openStore();
    journal(store, 's', 'x'.repeat(100));
    const ok = { session: 's', printer: 'front', start: 0, end: 10, capturedAt: AT, receipt: jsonReceipt(0, 10), printStatus: 'ok' } as const;
    expect(() => store.commitReceipt({ ...ok, start: 5, end: 4 })).toThrow(/bad byte range/);
    expect(() => store.commitReceipt({ ...ok, capturedAt: 'yesterday' })).toThrow(/not a date/);
    expect(count(store, 'receipts')).toBe(0);
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every level and drops undefined like JSON.stringify', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: undefined }], c: 'é"' } })).toBe('{"a":{"c":"é\\"","d":[3,{"z":1}]},"b":1}');
    expect(canonicalJson([undefined, NaN, null])).toBe('[null,null,null]');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DB_FILE, type Store } from '../../src/store/index.js';
import { jsonReceipt, openStore, T0, tempDir } from './helpers.js';

const DAY = 86_400_000;
const NOW = T0 + 40 * DAY;

interface Plan {
  ended?: number | null;
  decoded?: boolean;
  /** One receipt per entry: [captured ms, synced]. */
  receipts?: Array<[number, boolean]>;
}

/** A session of 100 bytes (+ a reply) with receipts of 10 bytes each. */
function make(store: Store, session: string, plan: Plan, fill = 'x'): string[] {
  store.beginSession({ session, printer: 'front', peer: 'x', t: T0 });
  store.appendChunk('front', { session, dir: 'to-printer', bytes: Buffer.from(fill.repeat(100).slice(0, 100)), t: T0 });
  store.appendChunk('front', { session, dir: 'from-printer', bytes: Buffer.from([0x12]), t: T0 });
  const ids: string[] = [];
  (plan.receipts ?? []).forEach(([at, synced], k) => {
    const r = store.commitReceipt({
      session,
      printer: 'front',
      start: k * 10,
      end: k * 10 + 10,
      capturedAt: new Date(at).toISOString(),
      receipt: jsonReceipt(k * 10, k * 10 + 10),
      printStatus: 'ok',
    })!;
    if (synced) store.markSynced([r.id]);
    ids.push(r.id);
  });
  if (plan.decoded ?? true) store.markDecoded(session, 100);
  if (plan.ended !== null) store.endSession(session, plan.ended ?? T0 + 1000);
  return ids;
}

function unsyncedIntact(store: Store): void {
  // Every unsynced receipt is there, with its outbox row and the whole journal behind it.
  const outbox = new Set(store.db.prepare<[], { receipt_id: string }>('SELECT receipt_id FROM outbox').all().map((r) => r.receipt_id));
  for (const r of store.listReceipts({ synced: false })) {
    expect(outbox.has(r.id)).toBe(true);
    const s = store.session(r.session)!;
    expect(store.readStream(r.session, 'to-printer').length).toBe(s.bytes);
  }
}

describe('prune', () => {
  it('deletes synced data older than N days and never unsynced data or the journal behind it', () => {
    const store = openStore();
    const gone = make(store, 'old-synced', { receipts: [[T0, true], [T0, true]] });
    const mixed = make(store, 'old-mixed', { receipts: [[T0, true], [T0, false]] });
    make(store, 'old-undecoded', { decoded: false });
    make(store, 'old-live', { ended: null, receipts: [[T0, true]] });
    make(store, 'old-polls', {}); // status polls only: nothing printed, nothing to keep
    const recent = make(store, 'recent', { ended: NOW - DAY, receipts: [[NOW - DAY, true]] });
    const before = store.stats();

    const result = store.prune({ olderThanDays: 30, now: NOW });
    expect(result).toEqual({ receipts: 4, sessions: 2, chunks: 4, bytes: 202 });

    expect(store.sessions().map((s) => s.session).sort()).toEqual(['old-live', 'old-mixed', 'old-undecoded', 'recent']);
    expect(store.getReceipt(gone[0]!)).toBeNull();
    expect(store.getReceipt(mixed[0]!)).toBeNull(); // synced and old, although its journal stays
    expect(store.getReceipt(mixed[1]!)!.synced).toBe(false);
    expect(store.getReceipt(recent[0]!)).not.toBeNull();
    expect(store.readStream('old-mixed', 'to-printer').length).toBe(100);
    expect(store.readStream('old-undecoded', 'to-printer').length).toBe(100);
    expect(store.readStream('old-live', 'to-printer').length).toBe(100);
    expect(store.readStream('old-synced', 'to-printer').length).toBe(0);
    expect(store.stats()).toMatchObject({ receipts: before.receipts - 4, unsynced: 1, sessions: 4, journalBytes: 4 * 101 });
    unsyncedIntact(store);

    // Nothing more to do the second time; with 0 days, still nothing unsynced goes.
    expect(store.prune({ olderThanDays: 30, now: NOW })).toEqual({ receipts: 0, sessions: 0, chunks: 0, bytes: 0 });
    store.prune({ olderThanDays: 0, now: NOW + DAY });
    expect(store.listReceipts().map((r) => r.id)).toEqual([mixed[1]]);
    unsyncedIntact(store);
    expect(() => store.prune({ olderThanDays: -1 })).toThrow(/bad olderThanDays/);
  });

  it('never loses an unsynced receipt or its journal, whatever the mix (randomised)', () => {
    const store = openStore();
    let x = 12345;
    const rnd = (n: number): number => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const unsynced: string[] = [];
    for (let i = 0; i < 60; i++) {
      const receipts: Array<[number, boolean]> = [];
      for (let k = rnd(4); k > 0; k--) receipts.push([T0 + rnd(40) * DAY, rnd(3) > 0]);
      const plan: Plan = { ended: rnd(5) === 0 ? null : T0 + rnd(40) * DAY, decoded: rnd(6) > 0, receipts };
      const ids = make(store, `s${i}`, plan);
      ids.forEach((id, k) => !receipts[k]![1] && unsynced.push(id));
    }
    for (const days of [30, 10, 1, 0]) {
      store.prune({ olderThanDays: days, now: NOW });
      expect(store.listReceipts({ synced: false }).map((r) => r.id).sort()).toEqual([...unsynced].sort());
      unsyncedIntact(store);
    }
  });

  it('leaves no copy of a pruned journal in the file', () => {
    const dir = tempDir();
    const store = openStore(dir);
    const marker = 'PRUNE-ME-0123456789-';
    make(store, 'old', { receipts: [[T0, true]] }, marker);
    make(store, 'kept', { receipts: [[T0, false]] });
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const disk = (): Buffer =>
      Buffer.concat([DB_FILE, `${DB_FILE}-wal`].map((f) => join(dir, f)).filter(existsSync).map((f) => readFileSync(f)));
    expect(disk().includes(marker)).toBe(true);
    expect(store.prune({ olderThanDays: 30, now: NOW }).sessions).toBe(1);
    expect(disk().includes(marker)).toBe(false);
  });
});

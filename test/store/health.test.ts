/** Health events and printer states in the store (a real SQLite file in a temp dir). */
import { afterEach, describe, expect, it } from 'vitest';
import { healthEventToWire, Store } from '../../src/store/index.js';
import type { HealthChange } from '../../src/health/types.js';
import { jsonReceipt, tempDir } from './helpers.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function open(dir: string): Store {
  const s = Store.open(dir);
  stores.push(s);
  return s;
}

const T0 = Date.parse('2026-11-20T06:01:07.120Z');
const paperOut: HealthChange = { kind: 'paper', state: 'out', previous: 'ok', at: T0, durationMs: 540_000, detail: null };
const offline: HealthChange = { kind: 'online', state: 'offline', previous: 'online', at: T0, durationMs: 540_000, detail: 'reply to DLE EOT 1' };
const back: HealthChange = { kind: 'paper', state: 'ok', previous: 'out', at: T0 + 60_000, durationMs: 60_000, detail: null };

describe('health events in the store', () => {
  it('appends events with per-device sequence numbers and UUIDs, and keeps the current state per printer', () => {
    const dir = tempDir();
    const store = open(dir);
    const a = store.appendHealthEvents('front', [paperOut, offline]);
    const b = store.appendHealthEvents('back', [back]);
    expect(a.map((e) => e.seq)).toEqual([1, 2]);
    expect(b[0]!.seq).toBe(3);
    expect(new Set([...a, ...b].map((e) => e.id)).size).toBe(3);
    for (const e of [...a, ...b]) expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const states = store.printerStates();
    expect(states.get('front')!.paper).toEqual({ state: 'out', since: T0 });
    expect(states.get('front')!.online).toEqual({ state: 'offline', since: T0 });
    expect(states.get('front')!.cover).toBeNull();
    expect(states.get('back')!.paper).toEqual({ state: 'ok', since: T0 + 60_000 });
  });

  it('lists oldest first, filters, gives the newest N, and marks synced; survives a reopen', () => {
    const dir = tempDir();
    const store = open(dir);
    store.appendHealthEvents('front', [paperOut, offline]);
    store.appendHealthEvents('front', [back]);
    expect(store.listHealthEvents().map((e) => e.state)).toEqual(['out', 'offline', 'ok']);
    expect(store.listHealthEvents({ limit: 2, from: 'newest' }).map((e) => e.seq)).toEqual([2, 3]);
    expect(store.listHealthEvents({ since: T0 + 1 }).map((e) => e.seq)).toEqual([3]);
    const first = store.listHealthEvents()[0]!;
    expect(store.markHealthSynced([first.id, first.id])).toBe(1);
    store.close();
    const again = open(dir);
    expect(again.listHealthEvents({ synced: false }).map((e) => e.seq)).toEqual([2, 3]);
    expect(again.listHealthEvents({ synced: true }).map((e) => e.id)).toEqual([first.id]);
    // A later sequence number after reopening, never a reused one; told against the stored state.
    const later = again.appendHealthEvents('front', [{ ...paperOut, at: T0 + 90_000, previous: null, durationMs: null }])[0]!;
    expect(later).toMatchObject({ seq: 4, previous: 'ok', durationMs: 30_000 });
    // The state already stored is no change.
    expect(again.appendHealthEvents('front', [{ ...paperOut, at: T0 + 95_000 }])).toEqual([]);
    // An event older than the stored state is out of order: dropped.
    expect(again.appendHealthEvents('front', [{ ...back, at: T0 }])).toEqual([]);
  });

  it('gives the sync protocol shape', () => {
    const store = open(tempDir());
    const [e] = store.appendHealthEvents('front', [paperOut]);
    const wire = healthEventToWire(e!);
    expect(Object.keys(wire).sort()).toEqual(['at', 'detail', 'duration_ms', 'id', 'kind', 'previous', 'printer', 'seq', 'state']);
    // Nothing was stored before: no previous state, no duration (whatever the monitor thought).
    expect(wire).toMatchObject({ printer: 'front', kind: 'paper', state: 'out', previous: null, duration_ms: null, detail: null, seq: 1 });
    // ISO 8601 with a zone, the same instant.
    expect(String(wire.at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    expect(Date.parse(String(wire.at))).toBe(T0);
  });

  it('rejects a kind the protocol does not have', () => {
    const store = open(tempDir());
    const bad = { ...paperOut, kind: 'toner' } as unknown as HealthChange;
    expect(() => store.appendHealthEvents('front', [bad])).toThrow(/CHECK/);
    expect(store.listHealthEvents()).toEqual([]);
  });

  it('stores a receipt with its print reason', () => {
    const store = open(tempDir());
    store.beginSession({ session: 's1', printer: 'front', peer: 'x', t: T0 });
    store.appendChunk('front', { dir: 'to-printer', bytes: Buffer.from('hello\n'), t: T0, session: 's1' });
    const r = store.commitReceipt({
      session: 's1',
      printer: 'front',
      start: 0,
      end: 6,
      capturedAt: '2026-11-20T14:01:08+08:00',
      receipt: jsonReceipt(0, 6),
      printStatus: 'failed',
      printReason: 'paper end reported 14:01:07',
    });
    expect(store.getReceipt(r!.id)).toMatchObject({ printStatus: 'failed', printReason: 'paper end reported 14:01:07' });
  });
});

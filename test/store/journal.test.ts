import { describe, expect, it } from 'vitest';
import type { Direction } from '../../drivers/types.js';
import { openStore, tempDir } from './helpers.js';
import { Store } from '../../src/store/index.js';

/** Deterministic pseudo-random bytes. */
function bytesOf(seed: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

describe('journal', () => {
  it('gives each direction its own offsets', () => {
    const store = openStore();
    store.beginSession({ session: 's1', printer: 'front', peer: '127.0.0.1:5000', t: 1 });
    const put = (dir: Direction, s: string): number =>
      store.appendChunk('front', { session: 's1', dir, bytes: Buffer.from(s), t: 2 }).offset;
    expect(put('to-printer', 'abc')).toBe(0);
    expect(put('from-printer', '\x12')).toBe(0);
    expect(put('to-printer', 'defg')).toBe(3);
    expect(put('from-printer', '\x12\x12')).toBe(1);
    expect(put('to-printer', '')).toBe(7); // empty: nothing stored, the offset is where it would be
    expect(put('to-printer', 'h')).toBe(7);
    expect(store.readStream('s1', 'to-printer').toString()).toBe('abcdefgh');
    expect(store.readStream('s1', 'from-printer')).toEqual(Buffer.from([0x12, 0x12, 0x12]));
    expect(store.session('s1')).toMatchObject({ bytes: 8, decodedTo: 0, endedAt: null, peer: '127.0.0.1:5000' });
    // Offsets are per session too.
    store.beginSession({ session: 's2', printer: 'front', peer: 'x', t: 3 });
    expect(store.appendChunk('front', { session: 's2', dir: 'to-printer', bytes: Buffer.from('z'), t: 4 }).offset).toBe(0);
    // Committed when it returns: no transaction left open.
    expect(store.db.inTransaction).toBe(false);
  });

  it('reads a stream across many chunks, from the middle, and piece by piece', () => {
    const store = openStore();
    store.beginSession({ session: 's', printer: 'p', peer: 'x', t: 0 });
    const parts: Buffer[] = [];
    // More chunks than one page of the reader (256), of uneven sizes, with replies in between.
    for (let i = 0; i < 700; i++) {
      const b = bytesOf(i, 1 + ((i * 37) % 90));
      const { offset } = store.appendChunk('p', { session: 's', dir: 'to-printer', bytes: b, t: i });
      expect(offset).toBe(parts.reduce((a, p) => a + p.length, 0));
      parts.push(b);
      if (i % 50 === 0) store.appendChunk('p', { session: 's', dir: 'from-printer', bytes: Buffer.from([0x12]), t: i });
    }
    const all = Buffer.concat(parts);
    expect(store.readStream('s', 'to-printer').equals(all)).toBe(true);
    for (const from of [0, 1, 45, 12345, all.length - 1, all.length, all.length + 10]) {
      expect(store.readStream('s', 'to-printer', from).equals(all.subarray(from))).toBe(true);
    }
    expect(store.readStream('s', 'to-printer', 1000, 20000).equals(all.subarray(1000, 20000))).toBe(true);
    const pieces = [...store.iterateStream('s', 'to-printer', 777)];
    expect(pieces.length).toBeGreaterThan(256);
    expect(Buffer.concat(pieces).equals(all.subarray(777))).toBe(true);
    expect(store.readStream('s', 'from-printer').length).toBe(14);
    const chunks = [...store.chunks('s', 'to-printer', 0, 200)];
    expect(chunks[0]).toMatchObject({ session: 's', dir: 'to-printer', offset: 0, t: 0 });
    expect(chunks.at(-1)!.offset).toBeLessThan(200);
    expect(store.readStream('nope', 'to-printer').length).toBe(0);
  });

  it('never drops bytes that come before their session was begun', () => {
    const store = openStore();
    expect(store.appendChunk('p', { session: 'early', dir: 'to-printer', bytes: Buffer.from('ab'), t: 5 }).offset).toBe(0);
    store.beginSession({ session: 'early', printer: 'p', peer: '/dev/pts/4', t: 6 });
    expect(store.session('early')).toMatchObject({ peer: '/dev/pts/4', startedAt: 5, bytes: 2 });
    expect(() => store.appendChunk('other', { session: 'early', dir: 'to-printer', bytes: Buffer.from('c'), t: 7 })).toThrow(
      /belongs to printer "p"/,
    );
    expect(() => store.beginSession({ session: 'early', printer: 'other', peer: 'x', t: 8 })).toThrow(/already exists/);
  });

  it('lists the sessions the agent must finish after a crash', () => {
    const dir = tempDir();
    const store = Store.open(dir);
    const put = (session: string, s: string): void => {
      store.beginSession({ session, printer: 'p', peer: 'x', t: 1 });
      store.appendChunk('p', { session, dir: 'to-printer', bytes: Buffer.from(s), t: 2 });
    };
    put('live', 'abc'); // not ended
    put('cut-short', 'abcdef'); // ended, not decoded to the end
    store.endSession('cut-short', 10);
    store.markDecoded('cut-short', 3);
    put('done', 'abcdef'); // ended and decoded
    store.endSession('done', 10);
    store.markDecoded('done', 6);
    put('idle', 'xyz'); // not ended although decoded
    store.markDecoded('idle', 99); // never past the journaled bytes
    store.close();

    const again = openStore(dir);
    expect(again.pendingSessions().map((s) => [s.session, s.decodedTo, s.bytes, s.endedAt])).toEqual([
      ['live', 0, 3, null],
      ['cut-short', 3, 6, 10],
      ['idle', 3, 3, null],
    ]);
    again.endSession('done', 99); // ending twice keeps the first time
    expect(again.session('done')!.endedAt).toBe(10);
    again.markDecoded('cut-short', 2); // never backwards
    expect(again.session('cut-short')!.decodedTo).toBe(3);
    expect(() => again.markDecoded('nope', 1)).toThrow(/no session nope/);
    expect(again.sessions().map((s) => s.session)).toEqual(['live', 'cut-short', 'done', 'idle']);
  });
});

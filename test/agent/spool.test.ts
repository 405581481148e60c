import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Pipeline, type Work } from '../../src/agent/pipeline.js';
import { decodeRecords, encodeHeader, listSegments, segmentPath, SpoolWriter, type SpoolPos } from '../../src/agent/spool.js';
import { EscPosBuilder } from '../../src/escpos/builder.js';
import { openStore, tempDir } from '../store/helpers.js';

const log = { info: () => {}, warn: () => {}, error: () => {} };

const receipt = (no: number): Buffer =>
  Buffer.from(new EscPosBuilder().init().line('CORNER SHOP').line(`RECEIPT NO: ${no}`).line(`TOTAL ${no}.00`).cut().build());

function sample(): Work[] {
  return [
    { kind: 'connect', printer: 'front', s: { session: 's-1', peer: '127.0.0.1:5000', t: 1000 } },
    { kind: 'chunk', printer: 'front', c: { session: 's-1', dir: 'to-printer', t: 1001.5, bytes: Buffer.from('收银台 1\n', 'utf8') } },
    { kind: 'chunk', printer: 'front', c: { session: 's-1', dir: 'from-printer', t: 1002, bytes: Buffer.from([0x12]) } },
    { kind: 'chunk', printer: 'front', c: { session: 's-1', dir: 'to-printer', t: 1003, bytes: Buffer.alloc(0) } },
    { kind: 'disconnect', printer: 'front', s: { session: 's-1', peer: '127.0.0.1:5000', t: 1004 } },
    { kind: 'connect', printer: '后厨', s: { session: 's-2', peer: '/dev/pts/4', t: 1005 } },
  ];
}

/** Append and wait until it is written. */
async function put(w: SpoolWriter, work: readonly Work[]): Promise<SpoolPos> {
  let err: Error | null = null;
  const at = w.append(work, (e) => (err = e));
  await w.drain();
  if (err) throw err;
  return { seg: at.seg, off: at.off };
}

/** The segments in `dir` once deletions (done off the relay thread) have settled to `want`. */
async function segmentsBecome(dir: string, want: number[]): Promise<number[]> {
  for (let i = 0; i < 200 && JSON.stringify(listSegments(dir)) !== JSON.stringify(want); i++) await new Promise((r) => setTimeout(r, 10));
  return listSegments(dir);
}

function encode(work: readonly Work[]): Buffer {
  return Buffer.concat(work.flatMap((w) => [encodeHeader(w), ...(w.kind === 'chunk' ? [w.c.bytes] : [])]));
}

describe('spool records', () => {
  it('read back exactly what was written, every kind', () => {
    const work = sample();
    const { records, torn } = decodeRecords(encode(work), 0);
    expect(torn).toBe(false);
    expect(records.map((r) => r.work)).toEqual(work);
    expect(records[records.length - 1]!.end).toBe(encode(work).length);
  });

  it('chunks of sessions and printers taking turns each keep their own names', () => {
    // The header encoder keeps the last printer and session it encoded: switching back and forth
    // must never carry one record's names into the next.
    const chunk = (printer: string, session: string, t: number): Work => ({ kind: 'chunk', printer, c: { session, dir: 'to-printer', t, bytes: Buffer.from(`${printer} ${session}\n`) } });
    const work = [chunk('front', 'a', 1), chunk('front', 'b', 2), chunk('后厨', 'b', 3), chunk('后厨', 'a', 4), chunk('front', 'a', 5), chunk('front', 'a', 6)];
    expect(decodeRecords(encode(work), 0).records.map((r) => r.work)).toEqual(work);
  });

  it('a record cut short anywhere ends the read there, with what precedes it intact', () => {
    const work = sample();
    const whole = encode(work);
    const ends = decodeRecords(whole, 0).records.map((r) => r.end);
    for (let n = 0; n < whole.length; n++) {
      const { records, torn } = decodeRecords(whole.subarray(0, n), 0);
      const complete = ends.filter((e) => e <= n).length;
      expect(records.length).toBe(complete);
      expect(records.map((r) => r.work)).toEqual(work.slice(0, complete));
      expect(torn).toBe(n !== (ends[complete - 1] ?? 0));
    }
  });

  it('reads from a position on', () => {
    const work = sample();
    const whole = encode(work);
    const ends = decodeRecords(whole, 0).records.map((r) => r.end);
    expect(decodeRecords(whole, ends[2]!).records.map((r) => r.work)).toEqual(work.slice(3));
  });
});

describe('SpoolWriter', () => {
  it('appends in order, rotates, and deletes the segments the worker has journaled', async () => {
    const dir = tempDir();
    writeFileSync(segmentPath(dir, 7), '');
    const w = SpoolWriter.open(dir);
    expect(w.current).toBe(8); // after what is there: that is left for a replay
    const work = sample();
    const a = await put(w, work.slice(0, 2));
    const b = await put(w, work.slice(2));
    expect(a.seg).toBe(8);
    expect(b.off).toBe(encode(work).length);
    expect(readFileSync(segmentPath(dir, 8))).toEqual(encode(work));
    expect(w.rotate()).toBe(9);
    const c = await put(w, work.slice(0, 1));
    expect(listSegments(dir)).toEqual([7, 8, 9]);
    // Journaled into segment 9: 8 is done; 7 is not this writer's (the worker replays it).
    expect(w.journaled(a, false)).toBe(false);
    expect(listSegments(dir)).toEqual([7, 8, 9]);
    expect(w.journaled({ seg: 9, off: 0 }, true)).toBe(false);
    expect(await segmentsBecome(dir, [7, 9])).toEqual([7, 9]);
    // All of 9 journaled: with rotateIfAll it goes and the next record starts segment 10.
    expect(w.journaled(c, true)).toBe(true);
    expect(await segmentsBecome(dir, [7])).toEqual([7]);
    expect(await put(w, work.slice(0, 1))).toEqual({ seg: 10, off: c.off });
    expect(listSegments(dir)).toEqual([7, 10]);
    w.close(true);
    expect(listSegments(dir)).toEqual([7]);
  });

  it('writes what queued behind a write together, in order, in pieces of at most IOV_MAX buffers and never across a rotation', async () => {
    const dir = tempDir();
    const w = SpoolWriter.open(dir);
    // 1,500 batches in one turn: the first goes alone, the rest queue behind it and go in writevs
    // of at most 1,024 buffers (two per record: header and bytes).
    const batches: Work[][] = [];
    for (let i = 0; i < 1500; i++) batches.push([{ kind: 'chunk', printer: 'front', c: { session: 's-1', dir: 'to-printer', t: i, bytes: Buffer.from(`line ${i}\n`) } }]);
    const done: number[] = [];
    const ats = batches.map((b, i) => {
      if (i === 1000) w.rotate();
      return w.append(b, (err) => {
        expect(err).toBeNull();
        done.push(i);
      });
    });
    await w.drain();
    expect(done).toEqual(batches.map((_, i) => i));
    expect(readFileSync(segmentPath(dir, ats[0]!.seg))).toEqual(encode(batches.slice(0, 1000).flat()));
    expect(readFileSync(segmentPath(dir, ats[1000]!.seg))).toEqual(encode(batches.slice(1000).flat()));
    expect(ats[1499]!.off).toBe(encode(batches.slice(1000).flat()).length);
    w.close(true);
  });
});

describe('SpoolWriter failing', () => {
  it('reports a write that failed to its batch and to every later one', async () => {
    const dir = join(tempDir(), 'spool');
    const w = SpoolWriter.open(dir);
    await put(w, sample().slice(0, 1));
    w.rotate();
    rmSync(dir, { recursive: true }); // the next segment cannot be created
    const errors: Array<Error | null> = [];
    w.append(sample().slice(0, 1), (e) => errors.push(e));
    w.append(sample().slice(1, 2), (e) => errors.push(e));
    await w.drain();
    w.append(sample().slice(2, 3), (e) => errors.push(e));
    await new Promise((r) => setTimeout(r, 10));
    expect(errors).toHaveLength(3);
    for (const e of errors) expect(e?.message).toMatch(/ENOENT/);
  });
});

describe('replaying the spool after a crash', () => {
  it('journals what the journal did not have, once, and the receipts come out of recovery', async () => {
    const data = tempDir();
    const dir = join(data, 'spool');
    const store = openStore(data);
    const w = SpoolWriter.open(dir);
    const seg = w.rotate(); // as the agent does before starting its worker
    const bytes = Buffer.concat([receipt(1), receipt(2), receipt(3)]);
    const pieces: Work[][] = [
      [{ kind: 'connect', printer: 'front', s: { session: 'pos-1', peer: '127.0.0.1:5000', t: 1000 } }],
      [{ kind: 'chunk', printer: 'front', c: { session: 'pos-1', dir: 'to-printer', t: 1001, bytes: bytes.subarray(0, 30) } }],
      [{ kind: 'chunk', printer: 'front', c: { session: 'pos-1', dir: 'to-printer', t: 1002, bytes: bytes.subarray(30, 70) } }],
      [{ kind: 'chunk', printer: 'front', c: { session: 'pos-1', dir: 'to-printer', t: 1003, bytes: bytes.subarray(70) } }],
      [{ kind: 'disconnect', printer: 'front', s: { session: 'pos-1', peer: '127.0.0.1:5000', t: 1004 } }],
    ];
    // The first worker journaled the first two messages, then the process was killed; the rest
    // had been spooled (and printed), part of it into a segment of its own.
    const first = new Pipeline(store, [{ name: 'front', decode: {}, idleMs: 3000 }], log);
    first.journal(pieces[0]!, await put(w, pieces[0]!));
    first.journal(pieces[1]!, await put(w, pieces[1]!));
    await put(w, pieces[2]!);
    w.rotate();
    await put(w, pieces[3]!);
    await put(w, pieces[4]!);
    expect(store.readStream('pos-1', 'to-printer')).toEqual(bytes.subarray(0, 30));

    // The restarted agent: a new segment, a new worker replaying everything below it.
    const again = SpoolWriter.open(dir);
    const below = again.rotate();
    expect(below).toBeGreaterThan(seg + 1);
    const second = new Pipeline(store, [{ name: 'front', decode: {}, idleMs: 3000 }], log);
    second.replaySpool(dir, below);
    second.recover();

    expect(store.readStream('pos-1', 'to-printer')).toEqual(bytes);
    expect(store.session('pos-1')!.endedAt).toBe(1004);
    const texts = store.listReceipts().map((r) => r.receipt.text);
    expect(texts).toHaveLength(3);
    for (const n of [1, 2, 3]) expect(texts.filter((t) => t.includes(`RECEIPT NO: ${n}\n`))).toHaveLength(1);
    expect(store.spoolMark()).toEqual({ seg: below, off: 0 });
    expect(listSegments(dir).filter((s) => s < below)).toEqual([]);

    // Replaying again (another crash before anything new) adds nothing.
    const third = new Pipeline(store, [{ name: 'front', decode: {}, idleMs: 3000 }], log);
    third.replaySpool(dir, below + 1);
    third.recover();
    expect(store.readStream('pos-1', 'to-printer')).toEqual(bytes);
    expect(store.listReceipts()).toHaveLength(3);
  });

  it('skips a torn tail and keeps going with the next segment', async () => {
    const data = tempDir();
    const dir = join(data, 'spool');
    const store = openStore(data);
    const w = SpoolWriter.open(dir);
    w.rotate();
    const a: Work[] = [
      { kind: 'connect', printer: 'front', s: { session: 'a', peer: 'p', t: 1 } },
      { kind: 'chunk', printer: 'front', c: { session: 'a', dir: 'to-printer', t: 2, bytes: receipt(1) } },
    ];
    const end = await put(w, a);
    const file = segmentPath(dir, end.seg);
    // A record begun and not finished.
    writeFileSync(file, Buffer.concat([readFileSync(file), encodeHeader(a[1]!).subarray(0, 9)]));
    w.rotate();
    await put(w, [{ kind: 'chunk', printer: 'front', c: { session: 'a', dir: 'to-printer', t: 3, bytes: receipt(2) } }]);
    const p = new Pipeline(store, [{ name: 'front', decode: {}, idleMs: 3000 }], log);
    p.replaySpool(dir, w.rotate());
    p.recover();
    expect(store.readStream('a', 'to-printer')).toEqual(Buffer.concat([receipt(1), receipt(2)]));
    expect(store.listReceipts()).toHaveLength(2);
    expect(existsSync(file)).toBe(false);
  });
});

/**
 * The relay's spool: what the drivers reported, handed on the relay thread — in the same turn of
 * the event loop as it was passed on — to a write into a plain file (libuv's thread pool does the
 * write, microseconds later), before the worker thread journals it in SQLite.
 *
 * Why: a process killed (SIGKILL, a crash) keeps what it wrote to a file — the kernel has it — so
 * the relay never has to wait for the journal's commit (an fsync, milliseconds and more on a busy
 * disk) before passing the next job on. After a restart the worker first journals what the spool
 * holds beyond the journal's spool mark (the position of the last record it committed, stored in
 * the same transaction), then decodes as usual: nothing lost, nothing doubled. Power loss is what
 * the journal's own fsync covers, one commit later. The worker reads the records back from the
 * file (the page cache has them): the relay thread copies no bytes for it.
 *
 * Files are segments `DATA/spool/<n>.bin`, numbered upwards; each agent start, and each new worker
 * thread, begins a new one, so a worker replays exactly the segments below its own. A segment is
 * deleted (by the relay) once the worker has journaled all of it; the relay starts a fresh segment
 * after a quiet second with everything journaled, so raw bytes (card numbers before redaction) do
 * not stay in the spool.
 *
 * Record: u32 length of the rest | u8 kind | u8 dir | f64 t | u16+utf8 printer | u16+utf8 session |
 * u16+utf8 peer (connect/disconnect) | bytes (chunk). Little-endian.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rm, rmSync, writev } from 'node:fs';
import { join } from 'node:path';
import type { Work } from './pipeline.js';

/** A position in the spool: segment number and the byte offset after a record. */
export interface SpoolPos {
  readonly seg: number;
  readonly off: number;
}

const KIND_CHUNK = 0;
const KIND_CONNECT = 1;
const KIND_DISCONNECT = 2;

const SEGMENT = /^(\d{1,15})\.bin$/;

export function segmentPath(dir: string, seg: number): string {
  return join(dir, `${String(seg).padStart(8, '0')}.bin`);
}

/** Segment numbers present in `dir`, ascending (none when it does not exist). */
export function listSegments(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const n of names) {
    const m = SEGMENT.exec(n);
    if (m) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

export function removeSegment(dir: string, seg: number): void {
  rmSync(segmentPath(dir, seg), { force: true });
}

function str(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

/**
 * The last printer name and session encoded: a stream's chunks all carry the same two, and not
 * encoding them again for every socket read makes a header 350 → 145 ns (relay thread).
 */
const lastPrinter = { s: '', b: str('') };
const lastSession = { s: '', b: str('') };
function cached(c: { s: string; b: Buffer }, s: string): Buffer {
  if (c.s !== s) {
    c.s = s;
    c.b = str(s);
  }
  return c.b;
}

/** The header of one record (everything but a chunk's bytes), its length field included. */
export function encodeHeader(w: Work): Buffer {
  const printer = cached(lastPrinter, w.printer);
  const session = cached(lastSession, w.kind === 'chunk' ? w.c.session : w.s.session);
  const peer = w.kind === 'chunk' ? null : str(w.s.peer);
  const body = w.kind === 'chunk' ? w.c.bytes.length : 0;
  const size = 4 + 1 + 1 + 8 + 2 + printer.length + 2 + session.length + (peer ? 2 + peer.length : 0);
  const h = Buffer.allocUnsafe(size);
  h.writeUInt32LE(size - 4 + body, 0);
  h[4] = w.kind === 'chunk' ? KIND_CHUNK : w.kind === 'connect' ? KIND_CONNECT : KIND_DISCONNECT;
  h[5] = w.kind === 'chunk' && w.c.dir === 'from-printer' ? 1 : 0;
  h.writeDoubleLE(w.kind === 'chunk' ? w.c.t : w.s.t, 6);
  let o = putString(h, 14, printer);
  o = putString(h, o, session);
  if (peer) putString(h, o, peer);
  return h;
}

/** A u16 length and the bytes at `o`; returns the offset after them. */
function putString(h: Buffer, o: number, b: Buffer): number {
  h.writeUInt16LE(b.length, o);
  b.copy(h, o + 2);
  return o + 2 + b.length;
}

/** One decoded record and the offset just after it. */
export interface SpoolRecord {
  readonly work: Work;
  readonly end: number;
}

/**
 * The records of a segment's content from `from` on. Stops at a record cut short (the tail of a
 * write the process did not finish) or malformed; `torn` says whether bytes were left over.
 */
export function decodeRecords(buf: Buffer, from: number): { records: SpoolRecord[]; torn: boolean } {
  const records: SpoolRecord[] = [];
  let o = from;
  while (o + 4 <= buf.length) {
    const len = buf.readUInt32LE(o);
    const end = o + 4 + len;
    if (len < 1 + 1 + 8 + 4 || end > buf.length) break;
    const kind = buf[o + 4]!;
    const dir = buf[o + 5]!;
    const t = buf.readDoubleLE(o + 6);
    let p = o + 14;
    const take = (): string | null => {
      if (p + 2 > end) return null;
      const n = buf.readUInt16LE(p);
      if (p + 2 + n > end) return null;
      const s = buf.toString('utf8', p + 2, p + 2 + n);
      p += 2 + n;
      return s;
    };
    const printer = take();
    const session = take();
    if (printer === null || session === null || kind > KIND_DISCONNECT || dir > 1 || !Number.isFinite(t)) break;
    if (kind === KIND_CHUNK) {
      // A view: the records live as long as their buffer (one message's, or one segment's).
      const bytes = buf.subarray(p, end);
      records.push({ work: { kind: 'chunk', printer, c: { session, dir: dir === 1 ? 'from-printer' : 'to-printer', t, bytes } }, end });
    } else {
      const peer = take();
      if (peer === null || p !== end) break;
      records.push({ work: { kind: kind === KIND_CONNECT ? 'connect' : 'disconnect', printer, s: { session, peer, t } }, end });
    }
    o = end;
  }
  return { records, torn: o < buf.length };
}

/** Where an append went: segment, first byte, and the byte after its last record. */
export interface SpoolAppend extends SpoolPos {
  readonly from: number;
}

interface Batch {
  readonly seg: number;
  readonly parts: Uint8Array[];
  readonly total: number;
  readonly done: (err: Error | null) => void;
}

/** Buffers per writev at most: Linux's IOV_MAX (libuv would split a longer list into several writes anyway). */
const MAX_IOV = 1024;

/**
 * The relay thread's side: appends records to the current segment, one writev per batch, or per
 * run of batches that queued behind a write (no copy in user space), in libuv's thread pool so the
 * relay thread only hands them over; batches are written one after another, in order. Rotates to
 * new segments, deletes those the worker has journaled.
 */
export class SpoolWriter {
  private fd: number | null = null;
  private fdSeg = -1;
  private seg: number;
  /** Bytes handed over for the current segment (written or queued). */
  private size = 0;
  /** Segments rotated away from and not yet deleted (the worker may not have journaled them). */
  private readonly closed: number[] = [];
  private readonly queue: Batch[] = [];
  private writing = false;
  private failed: Error | null = null;
  private readonly idle: Array<() => void> = [];

  private constructor(
    readonly dir: string,
    seg: number,
  ) {
    this.seg = seg;
  }

  /** A writer that starts after every segment in `dir`; those are left for the worker to replay. */
  static open(dir: string): SpoolWriter {
    mkdirSync(dir, { recursive: true });
    const segs = listSegments(dir);
    return new SpoolWriter(dir, (segs[segs.length - 1] ?? 0) + 1);
  }

  /** The segment the next record goes to. */
  get current(): number {
    return this.seg;
  }

  /** Bytes handed over for the current segment. */
  get bytes(): number {
    return this.size;
  }

  /**
   * Append the records of `work` (in order); `done` is called once they are written (with an
   * error — disk full — they are not, nor is anything after them: the caller stops spooling).
   * The chunks' bytes must not change until then.
   */
  append(work: readonly Work[], done: (err: Error | null) => void): SpoolAppend {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (const w of work) {
      const h = encodeHeader(w);
      parts.push(h);
      total += h.length;
      if (w.kind === 'chunk' && w.c.bytes.length > 0) {
        parts.push(w.c.bytes);
        total += w.c.bytes.length;
      }
    }
    const from = this.size;
    this.size += total;
    if (this.failed) {
      const err = this.failed;
      queueMicrotask(() => done(err));
    } else {
      this.queue.push({ seg: this.seg, parts, total, done });
      this.next();
    }
    return { seg: this.seg, from, off: this.size };
  }

  /** Calls `cb` once everything handed over so far is written (or failed). */
  whenWritten(cb: () => void): void {
    if (!this.writing && this.queue.length === 0) cb();
    else this.idle.push(cb);
  }

  drain(): Promise<void> {
    return new Promise((resolve) => this.whenWritten(resolve));
  }

  private next(): void {
    if (this.writing) return;
    const first = this.queue.shift();
    if (!first) {
      for (const cb of this.idle.splice(0)) cb();
      return;
    }
    // What queued while the last write ran goes in one writev (same segment, within IOV_MAX):
    // each write is a hand-over to the thread pool, and its wake-up costs the relay thread.
    const batches = [first];
    let parts = first.parts;
    let total = first.total;
    while (this.queue.length > 0 && this.queue[0]!.seg === first.seg && parts.length + this.queue[0]!.parts.length <= MAX_IOV) {
      const b = this.queue.shift()!;
      if (parts === first.parts) parts = [...parts];
      for (const p of b.parts) parts.push(p);
      total += b.total;
      batches.push(b);
    }
    this.writing = true;
    try {
      if (this.fdSeg !== first.seg) {
        this.closeFd();
        this.fd = openSync(segmentPath(this.dir, first.seg), 'a');
        this.fdSeg = first.seg;
      }
    } catch (err) {
      this.failAll(batches, err as Error);
      return;
    }
    writev(this.fd!, parts, (err, n) => {
      if (err || n !== total) {
        this.failAll(batches, err ?? new Error(`spool: wrote ${n} of ${total} bytes`));
        return;
      }
      this.writing = false;
      for (const b of batches) b.done(null);
      this.next();
    });
  }

  private failAll(batches: Batch[], err: Error): void {
    this.failed = err;
    this.writing = false;
    for (const b of batches) b.done(err);
    for (const q of this.queue.splice(0)) q.done(err);
    for (const cb of this.idle.splice(0)) cb();
  }

  /** Later records go to a new segment; this one stays until `journaled` has passed it. */
  rotate(): number {
    this.closed.push(this.seg);
    this.seg++;
    this.size = 0;
    return this.seg;
  }

  /**
   * The worker has journaled everything up to `pos`: delete the segments before it, and when it
   * is all of the current one, start a new one (`rotateIfAll`) so that its bytes go too.
   * Returns whether everything handed over so far is journaled.
   */
  journaled(pos: SpoolPos, rotateIfAll: boolean): boolean {
    while (this.closed.length > 0 && this.closed[0]! < pos.seg) removeSegmentLater(this.dir, this.closed.shift()!);
    const all = pos.seg === this.seg && pos.off >= this.size && !this.writing && this.queue.length === 0;
    if (all && rotateIfAll && this.size > 0) {
      if (this.fdSeg === this.seg) this.closeFd();
      removeSegmentLater(this.dir, this.seg);
      this.seg++;
      this.size = 0;
    }
    return all;
  }

  /** Close the file (after `drain`); with `removeAll`, delete every segment this writer made. */
  close(removeAll: boolean): void {
    this.closeFd();
    if (!removeAll) return;
    for (const s of this.closed.splice(0)) removeSegment(this.dir, s);
    removeSegment(this.dir, this.seg);
  }

  private closeFd(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
    this.fdSeg = -1;
  }
}

/** Off the relay thread: an unlink can wait on the disk. */
function removeSegmentLater(dir: string, seg: number): void {
  rm(segmentPath(dir, seg), { force: true }, () => {});
}

/** A segment's records from a position on (for replay), read whole: a segment is a few MB at most. */
export function readSegment(dir: string, seg: number, from: number): { records: SpoolRecord[]; torn: boolean } {
  let buf: Buffer;
  try {
    buf = readFileSync(segmentPath(dir, seg));
  } catch {
    return { records: [], torn: false };
  }
  return decodeRecords(buf, from);
}

/** The worker's side: reads back what the relay spooled (the page cache has it: no disk read). */
export class SpoolReader {
  private fd: number | null = null;
  private seg = -1;

  constructor(readonly dir: string) {}

  /** The records in bytes `from`–`to` of segment `seg`, exactly (throws when they are not whole). */
  read(seg: number, from: number, to: number): Work[] {
    if (seg !== this.seg || this.fd === null) {
      this.close();
      this.fd = openSync(segmentPath(this.dir, seg), 'r');
      this.seg = seg;
    }
    const buf = Buffer.allocUnsafe(to - from);
    for (let n = 0; n < buf.length; ) {
      const r = readSync(this.fd, buf, n, buf.length - n, from + n);
      if (r === 0) throw new Error(`spool segment ${seg} ends at ${from + n}, before ${to}`);
      n += r;
    }
    const { records, torn } = decodeRecords(buf, 0);
    if (torn) throw new Error(`spool segment ${seg}: bytes ${from}–${to} are not whole records`);
    return records.map((r) => r.work);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.seg = -1;
  }
}

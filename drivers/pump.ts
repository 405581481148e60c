/**
 * One direction of a pass-through: bytes from a source stream to a sink stream, in order, with
 * backpressure, reporting each piece once the sink has taken it.
 *
 * - With a sink: a piece is written as it arrives; when the sink's buffer is full (`write()`
 *   returns false) the source is paused until the sink drains, so memory stays bounded by the
 *   streams' highWaterMarks.
 * - Without a sink (printer not reachable yet, port being reopened): pieces are held, up to
 *   `maxHold` bytes; beyond that the oldest bytes are dropped, with a warn. When a sink arrives the
 *   held pieces go first.
 * - With a gate (RelayGate), a piece is written only while the gate is open; otherwise it is held
 *   and the source paused until the gate opens, like a full sink.
 * - `onChunk` is called from the write callback of each piece that was written without error, so
 *   the chunks reported are exactly the bytes passed on, in order.
 */
import type { Readable, Writable } from 'node:stream';
import type { Direction, RelayGate } from './types.js';

export interface PumpOptions {
  readonly dir: Direction;
  /** Bytes held while there is no sink; the oldest beyond this are dropped. */
  readonly maxHold: number;
  /** For messages: `session 1f3…: POS → printer`. */
  readonly label: string;
  readonly onChunk: (bytes: Buffer, t: number, session: string) => void;
  readonly onWarn: (message: string) => void;
  /** After `end()`: everything accepted was written (or could not be). Called once. */
  readonly onDrained?: () => void;
  /** A session has no bytes left in this pump (all written, dropped or failed). */
  readonly onSessionSettled?: (session: string) => void;
  /** The capture side's gate (journal caught up?), read for each piece; none: always open. */
  readonly gate?: () => RelayGate | null;
}

/** What a line hook does to a pump: sees each piece as it is handed over, or filters what is read. */
export interface PumpTap {
  /** Called with each piece just before it is written to the sink. */
  readonly beforeWrite?: (bytes: Buffer, t: number) => void;
  /** Called with each piece read from the source; what it returns is what the pump takes. */
  readonly filter?: (bytes: Buffer, t: number) => Buffer;
}

interface Item {
  bytes: Buffer;
  /** When the bytes were read. */
  t: number;
  session: string;
}

export const DEFAULT_MAX_HOLD = 8 * 1024 * 1024;

export class Pump {
  private readonly queue: Item[] = [];
  private queued = 0;
  private sink: Writable | null = null;
  private source: Readable | null = null;
  private sourceSession = '';
  private blocked = false;
  /** Waiting for the gate to open (a callback is registered). */
  private gated = false;
  private inflight = 0;
  private inflightBytes = 0;
  private ended = false;
  private drainedFired = false;
  private droppedNow = 0;
  private readonly perSession = new Map<string, number>();
  private tap: PumpTap | null = null;
  /** Bytes written and reported. */
  written = 0;
  /** Bytes dropped because the hold was full. */
  dropped = 0;
  /** Bytes whose write failed (the sink went away under them). */
  lost = 0;

  constructor(private readonly opts: PumpOptions) {}

  /** Bytes accepted but not yet confirmed written: held + in flight. */
  get pendingBytes(): number {
    return this.queued + this.inflightBytes;
  }

  /** Bytes of `session` accepted but not yet written, dropped or failed. */
  pendingFor(session: string): number {
    return this.perSession.get(session) ?? 0;
  }

  get hasSink(): boolean {
    return this.sink !== null;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  private readonly onData = (buf: Buffer): void => {
    const t = Date.now();
    const filter = this.tap?.filter;
    let bytes = buf;
    if (filter) {
      try {
        bytes = filter(buf, t);
      } catch (err) {
        this.tapFailed(err);
      }
    }
    this.accept(bytes, t, this.sourceSession);
  };

  /** A failing hook is taken off; the relay goes on untouched (fail-open). */
  private tapFailed(err: unknown): void {
    this.tap = null;
    this.opts.onWarn(`${this.opts.label}: the health hook failed and was taken off the line (${err instanceof Error ? err.message : String(err)}); relaying goes on`);
  }

  /** Puts a line hook on this pump (null: none). */
  setTap(tap: PumpTap | null): void {
    this.tap = tap;
  }

  /**
   * Writes bytes that are not the source's (a health poll) straight to the sink, behind what was
   * written so far; refused when pieces are waiting or the sink is full. Not reported, not counted.
   */
  inject(bytes: Buffer): boolean {
    const sink = this.sink;
    if (!sink || this.blocked || this.queue.length > 0 || sink.writableEnded || sink.destroyed) return false;
    const ok = sink.write(bytes, () => {});
    if (!ok && !this.blocked) {
      this.blocked = true;
      this.source?.pause();
      sink.once('drain', this.onDrain);
    }
    return true;
  }

  private readonly onDrain = (): void => {
    this.blocked = false;
    this.flush();
    this.resumeSource();
  };

  private readonly onGateOpen = (): void => {
    this.gated = false;
    this.flush();
    this.resumeSource();
  };

  /** The gate is closed: hold, pause the source, and carry on when it opens. */
  private gateClosed(): boolean {
    if (this.gated) return true;
    const gate = this.opts.gate?.();
    if (!gate?.closed) return false;
    this.gated = true;
    this.source?.pause();
    gate.whenOpen(this.onGateOpen);
    return true;
  }

  private resumeSource(): void {
    if (!this.blocked && !this.gated) this.source?.resume();
  }

  /** Reads from `src`; its pieces belong to `session`. */
  setSource(src: Readable, session: string): void {
    this.clearSource();
    this.source = src;
    this.sourceSession = session;
    src.on('data', this.onData);
    if (this.blocked || this.gated) src.pause();
    else src.resume();
  }

  /** Stops reading from the source (it is paused, so nothing it reads meanwhile is lost). */
  clearSource(): void {
    if (!this.source) return;
    this.source.off('data', this.onData);
    this.source.pause();
    this.source = null;
  }

  setSink(dst: Writable): void {
    this.clearSink();
    this.sink = dst;
    if (this.droppedNow > 0) {
      this.opts.onWarn(`${this.opts.label}: ${this.droppedNow} bytes were dropped while nothing could take them (hold limit ${this.opts.maxHold} bytes)`);
      this.droppedNow = 0;
    }
    this.flush();
    this.resumeSource();
    this.maybeDrained();
  }

  /** Detaches the sink; writes still in flight to it may fail (they are counted in `lost`). */
  clearSink(): void {
    if (!this.sink) return;
    this.sink.off('drain', this.onDrain);
    this.sink = null;
    if (this.blocked) {
      this.blocked = false;
      this.resumeSource();
    }
  }

  /** A piece from outside a source stream (same rules). */
  accept(bytes: Buffer, t: number, session: string): void {
    if (bytes.length === 0) return;
    const item: Item = { bytes, t, session };
    this.perSession.set(session, this.pendingFor(session) + bytes.length);
    if (this.sink && !this.blocked && this.queue.length === 0 && !this.gateClosed()) {
      this.write(item);
      return;
    }
    this.queue.push(item);
    this.queued += bytes.length;
    if (!this.sink) this.trim();
  }

  /** The source ended: deliver what was accepted, then call `onDrained`. */
  end(): void {
    this.ended = true;
    this.maybeDrained();
  }

  /** Throws away what is held (stop); returns how many bytes. */
  discard(): number {
    const n = this.queued;
    const items = this.queue.splice(0);
    this.queued = 0;
    for (const it of items) this.settle(it.session, it.bytes.length);
    return n;
  }

  private settle(session: string, n: number): void {
    const left = this.pendingFor(session) - n;
    if (left > 0) {
      this.perSession.set(session, left);
      return;
    }
    this.perSession.delete(session);
    this.opts.onSessionSettled?.(session);
  }

  private write(item: Item): void {
    const sink = this.sink!;
    const len = item.bytes.length;
    this.inflight++;
    this.inflightBytes += len;
    const before = this.tap?.beforeWrite;
    if (before) {
      try {
        before(item.bytes, Date.now());
      } catch (err) {
        this.tapFailed(err);
      }
    }
    const ok = sink.write(item.bytes, (err) => {
      this.inflight--;
      this.inflightBytes -= len;
      if (err) this.lost += len;
      else {
        this.written += len;
        this.opts.onChunk(item.bytes, item.t, item.session);
      }
      this.settle(item.session, len);
      this.maybeDrained();
    });
    if (!ok && this.sink === sink && !this.blocked) {
      this.blocked = true;
      this.source?.pause();
      sink.once('drain', this.onDrain);
    }
  }

  private flush(): void {
    while (this.sink && !this.blocked && this.queue.length > 0 && !this.gateClosed()) {
      const item = this.queue.shift()!;
      this.queued -= item.bytes.length;
      this.write(item);
    }
  }

  private trim(): void {
    let excess = this.queued - this.opts.maxHold;
    if (excess <= 0) return;
    if (this.droppedNow === 0) {
      this.opts.onWarn(`${this.opts.label}: holding more than ${this.opts.maxHold} bytes with nowhere to send them; dropping the oldest`);
    }
    while (excess > 0) {
      const head = this.queue[0]!;
      const n = Math.min(head.bytes.length, excess);
      if (n === head.bytes.length) this.queue.shift();
      else head.bytes = head.bytes.subarray(n);
      excess -= n;
      this.queued -= n;
      this.dropped += n;
      this.droppedNow += n;
      this.settle(head.session, n);
    }
  }

  private maybeDrained(): void {
    if (!this.ended || this.drainedFired) return;
    if (this.queue.length > 0 || this.inflight > 0) return;
    this.drainedFired = true;
    this.opts.onDrained?.();
  }
}

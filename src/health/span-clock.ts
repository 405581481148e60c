/**
 * When was a receipt sent? Receipts come out of the decoder as byte ranges of a session's
 * to-printer stream; the health verdict needs times. A SpanClock remembers, per session, when each
 * chunk arrived (offset → time) and answers for a byte range: the arrival of the chunk holding its
 * first byte and of the one holding its last. Memory stays bounded: ranges before a decoded
 * position are forgotten.
 */
import type { Span } from './print-status.js';

export class SpanClock {
  /** Chunk starts and their times, in stream order. */
  private offsets: number[] = [];
  private times: number[] = [];
  private total = 0;

  /** A chunk of `length` bytes arrived at `t` (call in stream order). */
  chunk(length: number, t: number): void {
    if (length <= 0) return;
    this.offsets.push(this.total);
    this.times.push(t);
    this.total += length;
  }

  /** Bytes seen so far. */
  get length(): number {
    return this.total;
  }

  /** The times of the chunks holding bytes `start` and `end - 1`; null for a range not (or no longer) known. */
  span(start: number, end: number): Span | null {
    if (end <= start || start < (this.offsets[0] ?? 0) || end > this.total) return null;
    return { start: this.timeAt(start), end: this.timeAt(end - 1) };
  }

  /** Forgets chunks that end at or before `offset` (their receipts are committed). */
  forget(offset: number): void {
    let i = 0;
    while (i + 1 < this.offsets.length && this.offsets[i + 1]! <= offset) i++;
    if (i > 0) {
      this.offsets = this.offsets.slice(i);
      this.times = this.times.slice(i);
    }
  }

  private timeAt(offset: number): number {
    // The last chunk starting at or before offset (binary search).
    let lo = 0;
    let hi = this.offsets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offsets[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.times[lo]!;
  }
}

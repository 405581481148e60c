/**
 * When the capture worker journals what the relay spooled (pure: times are given, nothing is read).
 *
 * The spool already keeps the bytes through a crash of the process; the journal commit (an fsync)
 * adds safety from power loss. Reading the spool back and journaling it costs about as much CPU as
 * relaying the bytes did, so while print data streams in, spooled ranges are held and journaled
 * once no data has come for `quietMs`: on a two-core counter PC the relay and the POS have the
 * CPU while they move data. A range held `maxMs` is due anyway (a stream that never pauses still
 * reaches the journal). The first piece after a quiet spell is due at once.
 */
export interface SpoolRange {
  readonly seg: number;
  readonly from: number;
  to: number;
}

export interface HoldTimes {
  /** No data for this long: the line is quiet, journal what is held. */
  readonly quietMs: number;
  /** Held this long: journal it even while data still streams. */
  readonly maxMs: number;
}

export const DEFAULT_HOLD: HoldTimes = { quietMs: 100, maxMs: 1000 };

export class SpoolHold {
  /** Not yet journaled, in spool order; contiguous ranges of one segment merged. */
  private readonly held: SpoolRange[] = [];
  private since = 0;
  private last = -Infinity;

  constructor(private readonly times: HoldTimes = DEFAULT_HOLD) {}

  get size(): number {
    return this.held.length;
  }

  /**
   * The relay spooled `seg` bytes `from`–`to`, which reached it from `first` to `last` (default:
   * at once). Returns whether everything held is due now (the line had been quiet and nothing else
   * was held).
   */
  add(seg: number, from: number, to: number, first: number, last = first): boolean {
    const quiet = first - this.last >= this.times.quietMs;
    this.last = Math.max(this.last, last);
    const tail = this.held[this.held.length - 1];
    if (tail && tail.seg === seg && tail.to === from) tail.to = to;
    else {
      if (this.held.length === 0) this.since = first;
      this.held.push({ seg, from, to });
    }
    return quiet && this.held.length === 1;
  }

  /** Milliseconds until the oldest range is due at `now` (≤ 0: due), or null when nothing is held. */
  wait(now: number): number | null {
    if (this.held.length === 0) return null;
    return Math.min(this.last + this.times.quietMs, this.since + this.times.maxMs) - now;
  }

  /** Whether data came within `quietMs` of `now`. */
  streaming(now: number): boolean {
    return now - this.last < this.times.quietMs;
  }

  /** The oldest held range, taken out (a segment's worth at most: one read, one transaction). */
  take(): SpoolRange | undefined {
    const r = this.held.shift();
    // What stays was held since its own arrival at the latest; the older time only makes it due sooner.
    if (this.held.length === 0) this.since = 0;
    return r;
  }
}

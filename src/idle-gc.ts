/**
 * A full garbage collection once a thread has been quiet for a while after work. After a burst
 * (a long printout, a backlog replayed) V8 keeps the heap it grew and the dead Buffers of the
 * burst until its next major collection — which a thread that is idle for hours, like an agent's
 * overnight, may never reach. One collection when the burst is over gives that memory back — to
 * the C allocator, which then gives its free pages back to the system (memory-trim.ts).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { trimAllocator } from './memory-trim.js';

let collect: (() => void) | null = null;

/** The engine's full collection (exposed once per thread, without a command-line flag). */
function fullGc(): () => void {
  if (collect) return collect;
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return (collect = g);
  setFlagsFromString('--expose-gc');
  return (collect = runInNewContext('gc') as () => void);
}

export class IdleGc {
  private last = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly collect: () => void;

  /**
   * Collect once `quietMs` have passed with no `touch()`, after there was one. `collect`: what
   * runs then (default: the engine's full collection, then the allocator's trim).
   */
  constructor(
    private readonly quietMs = 5000,
    collect?: () => void,
  ) {
    if (collect) this.collect = collect;
    else {
      const gc = fullGc();
      this.collect = () => {
        gc();
        trimAllocator();
      };
    }
  }

  /** Work happened (cheap: called per chunk — a timer is armed only when none is). */
  touch(): void {
    this.last = Date.now();
    if (!this.timer && !this.stopped) this.arm(this.quietMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(this.check, ms);
    this.timer.unref();
  }

  // Exactly `quietMs` after the last touch (a fixed interval collected 5–10 s after it).
  private readonly check = (): void => {
    this.timer = null;
    const left = this.last + this.quietMs - Date.now();
    if (left > 0) {
      this.arm(left);
      return;
    }
    this.collect();
  };
}

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
  private busy = false;
  private readonly timer: NodeJS.Timeout;

  /** Collect once `quietMs` have passed with no `touch()`, after there was one. */
  constructor(quietMs = 5000) {
    const gc = fullGc();
    this.timer = setInterval(() => {
      if (!this.busy || Date.now() - this.last < quietMs) return;
      this.busy = false;
      gc();
      trimAllocator();
    }, quietMs);
    this.timer.unref();
  }

  /** Work happened (cheap: called per chunk). */
  touch(): void {
    this.busy = true;
    this.last = Date.now();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

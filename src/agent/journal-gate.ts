/**
 * The agent's RelayGate: closed while a piece passed on to the printer that may end a receipt (a
 * cut, an initialise) is not yet in the journal. Pass-through drivers then hold the POS's next
 * bytes until the worker has journaled it, so a crash loses at most the receipt in flight. If the journal does not catch up within
 * `maxWaitMs` (a locked database, a dead worker) the gate stays open until it has caught up again:
 * printing never waits longer than that for the record.
 */
import type { RelayGate } from '../../drivers/types.js';

export class JournalGate implements RelayGate {
  private handedOver = 0;
  private journaled = 0;
  private bypass = false;
  private waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly maxWaitMs: number,
    /** The journal kept printing waiting for maxWaitMs: the gate opened anyway. */
    private readonly onStuck: () => void,
  ) {}

  get closed(): boolean {
    return !this.bypass && this.journaled < this.handedOver;
  }

  whenOpen(cb: () => void): void {
    if (!this.closed) {
      cb();
      return;
    }
    this.waiters.push(cb);
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.bypass = true;
        this.onStuck();
        this.open();
      }, this.maxWaitMs);
      this.timer.unref();
    }
  }

  /** A piece passed on to the printer was handed to the journal; its number, for `caughtUp`. */
  handOver(): number {
    return ++this.handedOver;
  }

  /** The journal holds every piece up to number `n`. */
  caughtUp(n: number): void {
    if (n > this.journaled) this.journaled = n;
    if (this.journaled >= this.handedOver) {
      this.bypass = false;
      this.open();
    }
  }

  /** Nothing will journal what was handed over (the worker is gone): stop holding for it. */
  forget(): void {
    this.caughtUp(this.handedOver);
  }

  private open(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    for (const cb of this.waiters.splice(0)) cb();
  }
}

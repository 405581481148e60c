/**
 * A printer's health monitor wired to the store: it starts from the conditions last stored (so a
 * restart tells changes, not everything again), keeps the recent changes for print verdicts, and
 * stores every change as a health event. Storing never holds up the relay: changes are written
 * after the current turn of the event loop, several in one transaction, and a failing store is
 * reported and skipped.
 */
import type { CaptureDriver } from '../../drivers/types.js';
import type { Store } from '../store/index.js';
import { HealthMonitor, type MonitorOptions } from './monitor.js';
import type { HealthChange, HealthEvent } from './types.js';

export interface WatchOptions extends Omit<MonitorOptions, 'printer' | 'initial' | 'history' | 'onChange'> {
  /** How far back stored changes are loaded for verdicts (ms). Default one hour. */
  readonly historyMs?: number;
  /** After the events were stored. */
  readonly onEvents?: (events: readonly HealthEvent[]) => void;
}

export interface WatchedPrinter {
  readonly monitor: HealthMonitor;
  /** Stops the monitor and stores what is still queued. */
  stop(): void;
}

export function watchPrinter(store: Store, printer: string, driver: CaptureDriver, opts: WatchOptions = {}): WatchedPrinter {
  const warn = opts.onWarn ?? (() => {});
  let initial;
  let history: Array<{ kind: HealthEvent['kind']; state: string; at: number }> = [];
  try {
    initial = store.printerStates().get(printer);
    const since = Date.now() - (opts.historyMs ?? 3_600_000);
    history = store.listHealthEvents({ printer, since }).map((e) => ({ kind: e.kind, state: e.state, at: e.at }));
  } catch (err) {
    warn(`health: cannot read the stored printer state (${(err as Error).message}); starting from nothing`);
  }
  let queue: HealthChange[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const changes = queue;
    queue = [];
    if (changes.length === 0) return;
    try {
      const events = store.appendHealthEvents(printer, changes);
      opts.onEvents?.(events);
    } catch (err) {
      warn(`health: storing ${changes.length} event(s) failed (${(err as Error).message}); printing goes on`);
    }
  };
  const monitor = new HealthMonitor({
    ...opts,
    printer,
    ...(initial ? { initial } : {}),
    history,
    onChange: (c) => {
      queue.push(c);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
  });
  monitor.watch(driver);
  return {
    monitor,
    stop: () => {
      monitor.stop();
      flush();
    },
  };
}

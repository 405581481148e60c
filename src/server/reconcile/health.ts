/**
 * Printer health events (docs/sync-protocol.md: printer, at, kind, state, previous, duration_ms)
 * as the intervals the matcher explains lost slips with: paper out, cover open, offline, an
 * error, no answer. Pure.
 */
import type { HealthInterval, PrinterCondition } from '../matcher/types.js';

/** What the matcher needs of an event (HealthEventRecord has it). */
export interface HealthEventLike {
  readonly store: string;
  readonly printer: string;
  readonly at: string;
  readonly atMs: number;
  readonly kind: string;
  readonly state: string;
  readonly previous: string | null;
  readonly durationMs: number | null;
}

/** The condition a kind's state is, or null when the printer can print in it. */
export function conditionOf(kind: string, state: string): PrinterCondition | null {
  switch (kind) {
    case 'paper':
      return state === 'out' ? 'paper_out' : null;
    case 'cover':
      return state === 'open' ? 'cover_open' : null;
    case 'online':
      return state === 'offline' ? 'offline' : state === 'no_response' ? 'no_response' : null;
    case 'cutter':
      return state === 'error' ? 'error' : null;
    case 'error':
      return state === 'none' ? null : 'error';
    default:
      // drawer, capture, and kinds a newer agent may send: nothing that stops a slip.
      return null;
  }
}

/**
 * Per store, printer and kind, in time order: a condition lasts from the event that reported it
 * to the next event of the same kind that reported something else; one still in force at the
 * last event is open-ended (end null). When the first event known ends a condition and says how
 * long it lasted (`previous`, `duration_ms`), the condition is put back from that.
 */
export function healthIntervals(events: readonly HealthEventLike[]): HealthInterval[] {
  const byKey = new Map<string, HealthEventLike[]>();
  for (const e of events) {
    const k = `${e.store}\u0000${e.printer}\u0000${e.kind}`;
    const list = byKey.get(k);
    if (list) list.push(e);
    else byKey.set(k, [e]);
  }
  const out: HealthInterval[] = [];
  for (const list of byKey.values()) {
    list.sort((a, b) => a.atMs - b.atMs);
    let open: { condition: PrinterCondition; start: string } | null = null;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      const now = conditionOf(e.kind, e.state);
      if (i === 0 && e.previous !== null && e.durationMs !== null) {
        const before = conditionOf(e.kind, e.previous);
        if (before !== null && before !== now) {
          out.push({ store: e.store, printer: e.printer, condition: before, start: new Date(e.atMs - e.durationMs).toISOString(), end: e.at });
        }
      }
      if (open !== null && open.condition !== now) {
        out.push({ store: e.store, printer: e.printer, condition: open.condition, start: open.start, end: e.at });
        open = null;
      }
      if (now !== null && open === null) open = { condition: now, start: e.at };
    }
    if (open !== null) {
      const last = list[list.length - 1]!;
      out.push({ store: last.store, printer: last.printer, condition: open.condition, start: open.start, end: null });
    }
  }
  return out.sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || (a.printer < b.printer ? -1 : a.printer > b.printer ? 1 : 0));
}

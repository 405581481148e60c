/**
 * Where a statement row's receipt would have printed: the store and printers of its payment
 * terminal (from configuration, else learned from the receipts that terminal printed), and the
 * printer conditions that cover a moment there.
 */
import type { GroupView } from './group.js';
import type { RowView } from './normalize.js';
import { idKey } from './normalize.js';
import { parseZoned, type WallMs } from './time.js';
import type { HealthInterval, TerminalPlacement } from './types.js';
import { terminalKey } from './clock.js';

export interface Place {
  readonly store: string;
  /** Empty: any printer of the store. */
  readonly printers: readonly string[];
}

export interface HealthHit {
  readonly interval: HealthInterval;
  readonly start: WallMs;
  readonly end: WallMs | null;
}

interface TimedInterval extends HealthHit {
  readonly printer: string;
}

export class Placements {
  private learned: Map<string, Place> | undefined;
  private readonly configured = new Map<string, Place>();
  private readonly health = new Map<string, TimedInterval[]>();

  constructor(
    private readonly groups: readonly GroupView[],
    configured: readonly TerminalPlacement[],
    health: readonly HealthInterval[],
    /** MID → its one store (scope.ts): gathered over the whole input, which a part of it may not hold. */
    private readonly merchantStore: ReadonlyMap<string, string | null>,
    utcOffsetMinutes: number,
  ) {
    for (const t of configured) {
      const mid = idKey(t.merchant_id);
      const tid = idKey(t.terminal_id);
      if (mid && tid) this.configured.set(terminalKey(mid, tid), { store: t.store, printers: [...t.printers].sort() });
    }
    for (const h of health) {
      const item: TimedInterval = {
        interval: h,
        printer: h.printer,
        start: parseZoned(h.start, utcOffsetMinutes),
        end: h.end === null ? null : parseZoned(h.end, utcOffsetMinutes),
      };
      const list = this.health.get(h.store);
      if (list) list.push(item);
      else this.health.set(h.store, [item]);
    }
    for (const list of this.health.values()) list.sort((a, b) => a.start - b.start || (a.printer < b.printer ? -1 : 1));
  }

  /**
   * Learned on first use (only rows without a receipt need it): the store a terminal's slips come
   * from most often, and the printers there that printed them.
   */
  private learn(): Map<string, Place> {
    if (this.learned) return this.learned;
    const perTerminal = new Map<string, Map<string, { count: number; printers: Set<string> }>>();
    for (const g of this.groups) {
      if (g.excluded || !g.mid || !g.tid) continue;
      const k = terminalKey(g.mid, g.tid);
      let stores = perTerminal.get(k);
      if (!stores) perTerminal.set(k, (stores = new Map()));
      let at = stores.get(g.store);
      if (!at) stores.set(g.store, (at = { count: 0, printers: new Set() }));
      at.count++;
      for (const m of g.members) at.printers.add(m.r.printer);
    }
    const terminals = new Map<string, Place>();
    for (const [k, stores] of perTerminal) {
      const [store, at] = [...stores].sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1))[0]!;
      terminals.set(k, { store, printers: [...at.printers].sort() });
    }
    return (this.learned = terminals);
  }

  /** The place of a statement row's terminal; a sales log row's store; a merchant's only store. */
  placeOfRow(r: RowView): Place | undefined {
    if (r.row.store !== undefined) return { store: r.row.store, printers: [] };
    if (r.mid && r.tid) {
      const k = terminalKey(r.mid, r.tid);
      const p = this.configured.get(k) ?? this.learn().get(k);
      if (p) return p;
    }
    const store = r.mid ? this.merchantStore.get(r.mid) : undefined;
    return store ? { store, printers: [] } : undefined;
  }

  /** The printer condition at `place` that covers `t` (with `slackMs` either side), the closest first. */
  conditionAt(place: Place, t: WallMs, slackMs: number): HealthHit | undefined {
    const list = this.health.get(place.store);
    if (!list) return undefined;
    let best: TimedInterval | undefined;
    let bestDistance = Infinity;
    for (const h of list) {
      if (h.start - slackMs > t) break;
      if (place.printers.length > 0 && !place.printers.includes(h.printer)) continue;
      const end = h.end ?? Infinity;
      if (end + slackMs < t) continue;
      const distance = t < h.start ? h.start - t : t > end ? t - end : 0;
      if (distance < bestDistance) {
        best = h;
        bestDistance = distance;
      }
    }
    return best ? { interval: best.interval, start: best.start, end: best.end } : undefined;
  }
}

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
  private readonly terminals = new Map<string, Place>();
  private readonly merchantStore = new Map<string, string | null>();
  private readonly health = new Map<string, TimedInterval[]>();

  constructor(
    groups: readonly GroupView[],
    configured: readonly TerminalPlacement[],
    health: readonly HealthInterval[],
    utcOffsetMinutes: number,
  ) {
    // Learned: the store a terminal's slips come from most often, and the printers there that printed them.
    const counts = new Map<string, Map<string, Set<string>>>();
    const storeCounts = new Map<string, Map<string, number>>();
    for (const g of groups) {
      if (g.excluded || !g.mid) continue;
      const seen = this.merchantStore.get(g.mid);
      this.merchantStore.set(g.mid, seen === undefined || seen === g.store ? g.store : null);
      if (!g.tid) continue;
      const k = terminalKey(g.mid, g.tid);
      let stores = counts.get(k);
      if (!stores) counts.set(k, (stores = new Map()));
      let printers = stores.get(g.store);
      if (!printers) stores.set(g.store, (printers = new Set()));
      for (const m of g.members) printers.add(m.r.printer);
      let n = storeCounts.get(k);
      if (!n) storeCounts.set(k, (n = new Map()));
      n.set(g.store, (n.get(g.store) ?? 0) + 1);
    }
    for (const [k, n] of storeCounts) {
      const [store] = [...n].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!;
      this.terminals.set(k, { store, printers: [...counts.get(k)!.get(store)!].sort() });
    }
    for (const t of configured) {
      const mid = idKey(t.merchant_id);
      const tid = idKey(t.terminal_id);
      if (mid && tid) this.terminals.set(terminalKey(mid, tid), { store: t.store, printers: [...t.printers].sort() });
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

  /** The place of a statement row's terminal; a sales log row's store; a merchant's only store. */
  placeOfRow(r: RowView): Place | undefined {
    if (r.row.store !== undefined) return { store: r.row.store, printers: [] };
    if (r.mid && r.tid) {
      const p = this.terminals.get(terminalKey(r.mid, r.tid));
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

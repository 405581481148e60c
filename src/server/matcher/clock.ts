/**
 * Each payment terminal's clock, learned from the matches that need no clock at all (RRN and
 * voucher): the offset of the time it printed from the statement's time, as a median so a few
 * slow prints do not move it. The window tiers then look for its receipts at the corrected time.
 */
import type { GroupView } from './group.js';
import type { Ledger } from './ledger.js';
import type { RowView } from './normalize.js';

export interface ClockView {
  readonly key: string;
  readonly mid: string;
  readonly tid: string;
  /** As printed on the statement, for display. */
  readonly merchantId: string;
  readonly terminalId: string;
  readonly offsetMs: number;
  readonly samples: number;
  readonly applied: boolean;
  /** Row indices of the samples, in time order. */
  readonly sampleRows: readonly number[];
}

export const terminalKey = (mid: string, tid: string): string => `${mid}|${tid}`;

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  const mid = n >>> 1;
  return n % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

export function learnClocks(
  rows: readonly RowView[],
  groups: readonly GroupView[],
  ledger: Ledger,
  minSamples: number,
): Map<string, ClockView> {
  const samples = new Map<string, { row: RowView; deltas: number[]; rows: number[] }>();
  for (let rAt = 0; rAt < rows.length; rAt++) {
    const r = rows[rAt]!;
    const tier = ledger.tierOf(r.idx);
    if (tier !== 'rrn' && tier !== 'voucher') continue;
    const g = groups[ledger.groupOf(r.idx)]!;
    // Only a printed time is the terminal's clock; a capture time is the shop PC's.
    if (!g.printedClock || !r.mid || !r.tid) continue;
    const k = terminalKey(r.mid, r.tid);
    let s = samples.get(k);
    if (!s) samples.set(k, (s = { row: r, deltas: [], rows: [] }));
    s.deltas.push(g.t - r.t);
    s.rows.push(r.idx);
  }
  const clocks = new Map<string, ClockView>();
  for (const [key, s] of samples) {
    const sorted = [...s.deltas].sort((a, b) => a - b);
    clocks.set(key, {
      key,
      mid: s.row.mid!,
      tid: s.row.tid!,
      merchantId: s.row.txn.merchant_id ?? s.row.mid!,
      terminalId: s.row.txn.terminal_id ?? s.row.tid!,
      offsetMs: median(sorted),
      samples: sorted.length,
      applied: sorted.length >= minSamples,
      sampleRows: s.rows,
    });
  }
  return clocks;
}

/**
 * The key tiers: a statement row and a receipt group that share a transaction's own number —
 * (MID, TID, RRN), (MID, TID, batch, trace), a wallet order number, a till receipt number — within
 * `keyWindowMs` of each other. Rows are taken in time order; each takes the nearest free group.
 * A first pass wants the same transaction type, a second takes any: a sale and its void may share
 * a number, and a slip whose type was changed should still meet its row (and be reported).
 */
import type { GroupView } from './group.js';
import type { Ledger } from './ledger.js';
import type { RowView } from './normalize.js';
import { MultiMap } from './multimap.js';
import type { MatchTier } from './types.js';

export interface KeyTier {
  readonly tier: MatchTier;
  rowKeys(r: RowView): readonly string[];
  groupKeys(g: GroupView): readonly string[];
  /** Further conditions on a candidate. */
  accept?(r: RowView, g: GroupView): boolean;
}

const NO_KEYS: readonly string[] = [];

export const RRN_TIER: KeyTier = {
  tier: 'rrn',
  rowKeys: (r) => (r.mid && r.tid && r.rrn ? [`${r.mid}|${r.tid}|${r.rrn}`] : NO_KEYS),
  groupKeys: (g) => (g.mid && g.tid && g.rrn ? [`${g.mid}|${g.tid}|${g.rrn}`] : NO_KEYS),
};

export const VOUCHER_TIER: KeyTier = {
  tier: 'voucher',
  rowKeys: (r) => (r.mid && r.tid && r.trace ? [`${r.mid}|${r.tid}|${r.trace}`] : NO_KEYS),
  groupKeys: (g) => (g.mid && g.tid && g.trace ? [`${g.mid}|${g.tid}|${g.trace}`] : NO_KEYS),
  // Trace numbers restart with each batch: when both sides name the batch, it must agree.
  accept: (r, g) => !r.batch || !g.batch || r.batch === g.batch,
};

export const WALLET_TIER: KeyTier = {
  tier: 'wallet_order',
  rowKeys: (r) => walletKeys(r.txid, r.order),
  groupKeys: (g) => walletKeys(g.txid, g.order),
};

function walletKeys(txid: string | undefined, order: string | undefined): readonly string[] {
  if (!txid && !order) return NO_KEYS;
  const keys: string[] = [];
  if (txid) keys.push(`x|${txid}`);
  if (order) keys.push(`o|${order}`);
  return keys;
}

export const RECEIPT_NO_TIER: KeyTier = {
  tier: 'receipt_no',
  rowKeys: (r) => (r.receiptNo ? [r.receiptNo] : NO_KEYS),
  groupKeys: (g) => (g.receiptNo ? [g.receiptNo] : NO_KEYS),
  // Till receipt numbers are per store: a sales log imported for a store only meets that store's receipts.
  accept: (r, g) => r.row.store === undefined || r.row.store === g.store,
};

export const KEY_TIERS: readonly KeyTier[] = [RRN_TIER, VOUCHER_TIER, WALLET_TIER, RECEIPT_NO_TIER];

export function matchByKeys(
  rows: readonly RowView[],
  groups: readonly GroupView[],
  ledger: Ledger,
  spec: KeyTier,
  keyWindowMs: number,
): void {
  const index = new MultiMap();
  for (let gAt = 0; gAt < groups.length; gAt++) {
    const g = groups[gAt]!;
    if (g.excluded || ledger.groupMatched(g.idx)) continue;
    for (const k of spec.groupKeys(g)) index.add(k, g.idx);
  }
  if (index.size === 0) return;
  // Each row's keys once, not once per pass.
  const rowKeys = rows.map((r) => (ledger.rowMatched(r.idx) ? NO_KEYS : spec.rowKeys(r)));
  for (const sameType of [true, false]) {
    for (let rAt = 0; rAt < rows.length; rAt++) {
      const r = rows[rAt]!;
      const keys = rowKeys[r.idx]!;
      if (keys.length === 0 || ledger.rowMatched(r.idx)) continue;
      // The candidates inline, not through a closure made per row: this runs for every row, per tier and pass.
      let best = -1;
      let bestD = Infinity;
      for (let k = 0; k < keys.length; k++) {
        const hit = index.get(keys[k]!);
        if (hit === undefined) continue;
        const n = typeof hit === 'number' ? 1 : hit.length;
        for (let j = 0; j < n; j++) {
          const gi = typeof hit === 'number' ? hit : hit[j]!;
          if (ledger.groupMatched(gi)) continue;
          const g = groups[gi]!;
          if (sameType && g.type !== r.txn.trans_type) continue;
          const d = Math.abs(g.t - r.t);
          if (d > keyWindowMs) continue;
          if (spec.accept && !spec.accept(r, g)) continue;
          if (d < bestD || (d === bestD && gi < best)) {
            best = gi;
            bestD = d;
          }
        }
      }
      if (best >= 0) {
        const g = groups[best]!;
        ledger.link(r.idx, best, spec.tier, g.type !== undefined && g.type !== r.txn.trans_type);
      }
    }
  }
}

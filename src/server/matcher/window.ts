/**
 * The window tiers, for rows that carry no RRN or voucher: (MID, TID, auth code, amount) and
 * (MID, TID, amount), with the card's last 4 agreeing where both sides show it, the receipt's time
 * corrected by its terminal's learned clock offset and within `windowMs` of the row's.
 *
 * Candidates form clusters (a row and a group joined when either could be the other's). A cluster
 * of exactly one row and one group is a match; anything bigger is not decided here: the auth tier
 * leaves it to the amount tier, the amount tier hands it back as `ambiguous` for a person.
 */
import type { GroupView } from './group.js';
import type { Ledger } from './ledger.js';
import type { RowView } from './normalize.js';
import type { MatchTier } from './types.js';
import { UnionFind } from './union-find.js';

export interface Cluster {
  /** Row indices, in time order. */
  readonly rows: readonly number[];
  /** Group indices, in time order. */
  readonly groups: readonly number[];
}

type WindowTier = Extract<MatchTier, 'auth_window' | 'amount_window'>;

function keyOf(tier: WindowTier, mid?: string, tid?: string, amount?: number, auth?: string): string | undefined {
  if (!mid || !tid || amount === undefined) return undefined;
  if (tier === 'auth_window') return auth ? `${mid}|${tid}|${amount}|${auth}` : undefined;
  return `${mid}|${tid}|${amount}`;
}

interface Timed {
  readonly gi: number;
  readonly t: number;
}

/** First position whose time is ≥ t. */
function lowerBound(list: readonly Timed[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * `correctedTime(g)`: the group's time on the statement's clock. Returns the clusters it could
 * not decide (each with at least one row and one group).
 */
export function matchByWindow(
  rows: readonly RowView[],
  groups: readonly GroupView[],
  ledger: Ledger,
  tier: WindowTier,
  correctedTime: (g: GroupView) => number,
  windowMs: number,
): Cluster[] {
  const index = new Map<string, Timed[]>();
  for (let gAt = 0; gAt < groups.length; gAt++) {
    const g = groups[gAt]!;
    if (g.excluded || ledger.groupMatched(g.idx)) continue;
    const k = keyOf(tier, g.mid, g.tid, g.amount, g.auth);
    if (!k) continue;
    const list = index.get(k);
    const item = { gi: g.idx, t: correctedTime(g) };
    if (list) list.push(item);
    else index.set(k, [item]);
  }
  if (index.size === 0) return [];
  for (const list of index.values()) list.sort((a, b) => a.t - b.t || a.gi - b.gi);

  const R = rows.length;
  const uf = new UnionFind(R + groups.length);
  const touched = new Set<number>();
  for (let rAt = 0; rAt < rows.length; rAt++) {
    const r = rows[rAt]!;
    if (ledger.rowMatched(r.idx)) continue;
    const k = keyOf(tier, r.mid, r.tid, r.txn.amount_minor, r.auth);
    if (!k) continue;
    const list = index.get(k);
    if (!list) continue;
    for (let p = lowerBound(list, r.t - windowMs); p < list.length && list[p]!.t <= r.t + windowMs; p++) {
      const g = groups[list[p]!.gi]!;
      if (r.last4 && g.last4 && r.last4 !== g.last4) continue;
      uf.union(r.idx, R + g.idx);
      touched.add(r.idx);
      touched.add(R + g.idx);
    }
  }

  const clusters = new Map<number, { rows: number[]; groups: number[] }>();
  for (const node of [...touched].sort((a, b) => a - b)) {
    const root = uf.find(node);
    let c = clusters.get(root);
    if (!c) clusters.set(root, (c = { rows: [], groups: [] }));
    if (node < R) c.rows.push(node);
    else c.groups.push(node - R);
  }
  const undecided: Cluster[] = [];
  for (const c of clusters.values()) {
    if (c.rows.length === 1 && c.groups.length === 1) {
      const r = rows[c.rows[0]!]!;
      const g = groups[c.groups[0]!]!;
      ledger.link(r.idx, g.idx, tier, g.type !== undefined && g.type !== r.txn.trans_type);
    } else undecided.push(c);
  }
  return undecided;
}

/**
 * Voids and refunds name the transaction they reverse (原凭证号 / original trace, original RRN,
 * the wallet's original transaction id). Linked on each side separately: a statement void to its
 * sale row, a void slip to its sale slip. The latest earlier transaction under the key wins.
 */
import type { TransType } from '../../receipt/fields/types.js';
import type { GroupView } from './group.js';
import { isReversal, type RowView } from './normalize.js';
import type { ReversalLink } from './types.js';

interface Linkable {
  readonly idx: number;
  readonly id: string;
  readonly t: number;
  readonly type?: TransType;
  readonly mid?: string;
  readonly tid?: string;
  readonly rrn?: string;
  readonly trace?: string;
  readonly txid?: string;
  readonly origRrn?: string;
  readonly origTrace?: string;
  readonly origTxid?: string;
}

const BY = [
  ['reference_no', (x: Linkable) => x.rrn, (x: Linkable) => x.origRrn, true],
  ['trace_no', (x: Linkable) => x.trace, (x: Linkable) => x.origTrace, true],
  ['transaction_id', (x: Linkable) => x.txid, (x: Linkable) => x.origTxid, false],
] as const;

function scopeOf(x: Linkable, perTerminal: boolean): string | undefined {
  if (!perTerminal) return '';
  return x.mid && x.tid ? `${x.mid}|${x.tid}|` : undefined;
}

/** Links within one side; returns reversal idx → original idx and the public links. */
function linkSide(items: readonly Linkable[], side: ReversalLink['side']): { links: ReversalLink[]; originalOf: Map<number, number> } {
  const links: ReversalLink[] = [];
  const originalOf = new Map<number, number>();
  // Only values some reversal asks for: reversals are few, so the indexes stay small.
  const wantedBy = BY.map(() => new Set<string>());
  for (let xAt = 0; xAt < items.length; xAt++) {
    const x = items[xAt]!;
    if (!x.origRrn && !x.origTrace && !x.origTxid) continue;
    BY.forEach(([, , orig], b) => {
      const v = orig(x);
      if (v) wantedBy[b]!.add(v);
    });
  }
  const indexes = BY.map(([, own, , perTerminal], b) => {
    const wanted = wantedBy[b]!;
    const index = new Map<string, Linkable[]>();
    if (wanted.size === 0) return index;
    for (let xAt = 0; xAt < items.length; xAt++) {
      const x = items[xAt]!;
      const v = own(x);
      if (!v || !wanted.has(v) || isReversal(x.type)) continue;
      const scope = scopeOf(x, perTerminal);
      if (scope === undefined) continue;
      const k = scope + v;
      const list = index.get(k);
      if (list) list.push(x);
      else index.set(k, [x]);
    }
    return index;
  });
  for (let xAt = 0; xAt < items.length; xAt++) {
    const x = items[xAt]!;
    if (!x.origRrn && !x.origTrace && !x.origTxid) continue;
    for (let b = 0; b < BY.length; b++) {
      const [by, , orig, perTerminal] = BY[b]!;
      const v = orig(x);
      const scope = scopeOf(x, perTerminal);
      if (!v || scope === undefined) continue;
      const candidates = indexes[b]!.get(scope + v);
      if (!candidates) continue;
      // The original came first; of several (a trace number reused), the latest before the reversal.
      let before: Linkable | undefined;
      let after: Linkable | undefined;
      for (let cAt = 0; cAt < candidates.length; cAt++) {
        const c = candidates[cAt]!;
        if (c === x) continue;
        if (c.t <= x.t) {
          if (!before || c.t > before.t) before = c;
        } else if (!after || c.t < after.t) after = c;
      }
      const best = before ?? after;
      if (best) {
        links.push({ side, reversal: x.id, original: best.id, by });
        originalOf.set(x.idx, best.idx);
        break;
      }
    }
  }
  return { links, originalOf };
}

export interface Reversals {
  readonly links: readonly ReversalLink[];
  readonly rowOriginal: ReadonlyMap<number, number>;
  readonly groupOriginal: ReadonlyMap<number, number>;
  /** Group idx → the groups that reverse it. */
  readonly groupReversedBy: ReadonlyMap<number, readonly number[]>;
}

export function linkReversals(rows: readonly RowView[], groups: readonly GroupView[]): Reversals {
  // Views carry the fields links need under the same names: no copies made.
  const s = linkSide(rows, 'statement');
  const g = linkSide(
    groups.filter((x) => !x.excluded),
    'receipt',
  );
  const reversedBy = new Map<number, number[]>();
  for (const [rev, orig] of g.originalOf) {
    const list = reversedBy.get(orig);
    if (list) list.push(rev);
    else reversedBy.set(orig, [rev]);
  }
  return { links: [...s.links, ...g.links], rowOriginal: s.originalOf, groupOriginal: g.originalOf, groupReversedBy: reversedBy };
}

/**
 * Figures for head office: per store, per terminal or per operator / cashier, how many
 * transactions matched and for how much, and what went wrong, by kind and by probable cause (a
 * cashier's slip printed twice or keyed differently shows under `staff`). Amounts are per currency.
 */
import type { DiscrepancyCause, DiscrepancyKind, MatchResult } from './types.js';

export type SummaryDimension = 'store' | 'terminal' | 'operator';

export interface Tally {
  readonly count: number;
  /** Currency → minor units. */
  readonly amount: Readonly<Record<string, number>>;
}

export interface SummaryRow {
  /** The store, terminal or operator; null where it is not known. */
  readonly key: string | null;
  readonly matched: Tally;
  readonly discrepancies: Tally;
  readonly open: number;
  readonly by_kind: Readonly<Partial<Record<DiscrepancyKind, Tally>>>;
  readonly by_cause: Readonly<Partial<Record<DiscrepancyCause, number>>>;
}

interface MutableTally {
  count: number;
  amount: Record<string, number>;
}

const tally = (): MutableTally => ({ count: 0, amount: {} });

function addTo(t: MutableTally, amount: number | null, currency: string | null): void {
  t.count++;
  if (amount !== null && currency) t.amount[currency] = (t.amount[currency] ?? 0) + amount;
}

interface Acc {
  key: string | null;
  matched: MutableTally;
  discrepancies: MutableTally;
  open: number;
  by_kind: Partial<Record<DiscrepancyKind, MutableTally>>;
  by_cause: Partial<Record<DiscrepancyCause, number>>;
}

/**
 * Rows sorted by discrepancy count (most first), then key; the unknown key last. Informational
 * kinds (reprint) are counted like the others: filter the result's discrepancies first to leave
 * them out.
 */
export function summarize(result: Pick<MatchResult, 'matches' | 'discrepancies'>, by: SummaryDimension): SummaryRow[] {
  const accs = new Map<string | null, Acc>();
  const acc = (key: string | null): Acc => {
    let a = accs.get(key);
    if (!a) accs.set(key, (a = { key, matched: tally(), discrepancies: tally(), open: 0, by_kind: {}, by_cause: {} }));
    return a;
  };
  for (const m of result.matches) addTo(acc(m[by]).matched, m.amount_minor, m.currency);
  for (const d of result.discrepancies) {
    const a = acc(d[by]);
    addTo(a.discrepancies, d.amount_minor, d.currency);
    addTo((a.by_kind[d.kind] ??= tally()), d.amount_minor, d.currency);
    a.by_cause[d.cause] = (a.by_cause[d.cause] ?? 0) + 1;
    if (d.status === 'open') a.open++;
  }
  return [...accs.values()].sort(
    (a, b) =>
      Number(a.key === null) - Number(b.key === null) ||
      b.discrepancies.count - a.discrepancies.count ||
      String(a.key).localeCompare(String(b.key)),
  );
}

/**
 * Discrepancy keys: a family name and a hash of the ids the discrepancy is about, never of what
 * may change between runs (times, amounts, wording). A person's decision is stored under the key,
 * so re-running over the same data finds it again.
 *
 * A missing receipt keeps its key when later health data turns it into `print_failed` (same
 * family): the statement row is the same fact.
 */
import { createHash } from 'node:crypto';
import type { DiscrepancyKind } from './types.js';

export type KeyFamily = Exclude<DiscrepancyKind, 'print_failed'> | 'missing';

export function familyOf(kind: DiscrepancyKind): KeyFamily {
  return kind === 'missing_receipt' || kind === 'print_failed' ? 'missing' : kind;
}

export function fingerprint(kind: DiscrepancyKind, anchor: readonly string[]): string {
  const family = familyOf(kind);
  const h = createHash('sha256').update(`${family}\u0000${anchor.join('\u0000')}`).digest('hex');
  return `${family}:${h.slice(0, 24)}`;
}

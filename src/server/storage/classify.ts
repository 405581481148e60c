/**
 * What a receipt arriving under an id means, given what is held under that id
 * (docs/sync-protocol.md, `POST /api/v1/receipts`). Pure: every backend runs the same rules inside
 * its own transaction.
 */
import type { ConflictReason } from './types.js';

export interface HeldReceipt {
  readonly store: string;
  readonly device: string;
  readonly revision: number;
  readonly sha256: string;
}

export interface Arrival {
  readonly store: string;
  readonly device: string;
  readonly revision: number;
  readonly sha256: string;
}

export type Decision =
  | { readonly kind: 'accept' }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'revise'; readonly from: number }
  | { readonly kind: 'conflict'; readonly reason: ConflictReason };

/**
 * @param inHistory whether this content is an earlier revision held for the id (asked only when
 *   it matters): a batch retried after its revision was superseded is a duplicate, not tampering.
 */
export function classifyReceipt(held: HeldReceipt | null, arrival: Arrival, inHistory: () => boolean): Decision {
  if (!held) return { kind: 'accept' };
  if (held.sha256 === arrival.sha256) return { kind: 'duplicate' };
  const sameSource = held.device === arrival.device && held.store === arrival.store;
  if (!sameSource) return { kind: 'conflict', reason: 'other-device' };
  if (arrival.revision > held.revision) return { kind: 'revise', from: held.revision };
  if (inHistory()) return { kind: 'duplicate' };
  return { kind: 'conflict', reason: 'revision-not-higher' };
}

/**
 * A batch of receipts, decided before anything is written: what each receipt is (classify.ts) and
 * the writes that follow, in order. Pure and shared by the backends, so that SQLite (statement by
 * statement) and PostgreSQL (a few set-wise statements) give the same answer for the same batch.
 *
 * Receipts are decided in the order sent, each against what the database held when the batch's
 * transaction began plus what the earlier receipts of the same batch did: an id sent twice in one
 * batch is decided exactly as if the two had come in two batches one after the other.
 */
import { classifyReceipt, type HeldReceipt } from './classify.js';
import type { ConflictReason, IncomingReceipt, ReceiptIngestResult } from './types.js';

/** What the database held before the batch, as the backend reads it (inside the transaction). */
export interface HeldLookup {
  held(id: string): HeldReceipt | null;
  /** Is this content an earlier revision of the id, from this device? */
  inHistory(id: string, sha256: string, device: string): boolean;
}

export type ReceiptWrite =
  /** A new id: insert it. */
  | { readonly kind: 'insert'; readonly receipt: IncomingReceipt }
  /** A higher revision: copy the held row to receipt_revisions, then replace it. */
  | { readonly kind: 'revise'; readonly receipt: IncomingReceipt }
  /** Refused: a row in receipt_conflicts, with what was held. */
  | { readonly kind: 'conflict'; readonly receipt: IncomingReceipt; readonly reason: ConflictReason; readonly held: HeldReceipt };

export interface ReceiptPlan {
  readonly result: ReceiptIngestResult;
  /** In the order they must run: a revise of an id always comes after its insert. */
  readonly writes: readonly ReceiptWrite[];
}

const historyKey = (id: string, sha256: string, device: string): string => `${id}\u0000${sha256}\u0000${device}`;

export function planReceipts(source: { readonly store: string; readonly device: string }, receipts: readonly IncomingReceipt[], lookup: HeldLookup): ReceiptPlan {
  const result: ReceiptIngestResult = { accepted: [], duplicates: [], revised: [], conflicts: [] };
  const writes: ReceiptWrite[] = [];
  // What this batch has done so far, over what the database held.
  const heldNow = new Map<string, HeldReceipt>();
  const archived = new Set<string>();
  const { store, device } = source;
  for (const r of receipts) {
    const held = heldNow.get(r.id) ?? lookup.held(r.id);
    const decision = classifyReceipt(held, { store, device, revision: r.revision, sha256: r.sha256 }, () =>
      archived.has(historyKey(r.id, r.sha256, device)) || lookup.inHistory(r.id, r.sha256, device),
    );
    switch (decision.kind) {
      case 'accept':
        writes.push({ kind: 'insert', receipt: r });
        heldNow.set(r.id, { store, device, revision: r.revision, sha256: r.sha256 });
        result.accepted.push(r.id);
        break;
      case 'duplicate':
        result.duplicates.push(r.id);
        break;
      case 'revise':
        writes.push({ kind: 'revise', receipt: r });
        archived.add(historyKey(r.id, held!.sha256, held!.device));
        heldNow.set(r.id, { store, device, revision: r.revision, sha256: r.sha256 });
        result.revised.push({ id: r.id, from: decision.from, to: r.revision });
        break;
      case 'conflict': {
        const h = held!;
        writes.push({ kind: 'conflict', receipt: r, reason: decision.reason, held: h });
        result.conflicts.push({
          id: r.id,
          reason: decision.reason,
          sent: { revision: r.revision, sha256: r.sha256 },
          held: { store: h.store, device: h.device, revision: h.revision, sha256: h.sha256 },
        });
        break;
      }
    }
  }
  return { result, writes };
}

/**
 * Outbox kinds: what the worker sends, each to its own route. The worker is generic over them; a
 * kind says how its due rows become wire rows and how an answer settles them. Two today: receipts
 * (POST /api/v1/receipts) and printer health events (POST /api/v1/health-events). Another kind is
 * an outbox table and a take / settle pair in the store (src/store/outbox.ts) and a kind here.
 */
import { healthEventToWire, type OutboxKindName, type OutboxReceipt, type Store, type TakeBatchOptions } from '../store/index.js';
import type { BatchAnswer } from './protocol.js';

export interface SyncItem {
  readonly id: string;
  /** `id:revision:sha256` (or what identifies the row's content): the Idempotency-Key's input. */
  readonly key: string;
  /** Attempts already made for this row. */
  readonly attempts: number;
  /** The row as the protocol's JSON text. */
  readonly wire: string;
}

export interface SettleOutcome {
  /** Rows the server holds now and that left the outbox. */
  readonly synced: number;
  /** Rows the server answered as conflicts, parked. */
  readonly parked: number;
  /** Rows sent that the answer did not mention: they stay queued. */
  readonly unanswered: readonly string[];
}

export interface OutboxKind<T extends SyncItem = SyncItem> {
  readonly name: OutboxKindName;
  /** Below the server's base URL, no leading slash. */
  readonly route: string;
  /** The body's array member. */
  readonly member: string;
  take(opts: TakeBatchOptions): T[];
  settle(items: readonly T[], answer: BatchAnswer, at: number): SettleOutcome;
}

export interface ReceiptItem extends SyncItem {
  readonly sha256: string;
  readonly revision: number;
}

const q = JSON.stringify;

/** One element of `receipts` (docs/sync-protocol.md); `receipt` is the stored canonical JSON as is. */
export function receiptWire(r: OutboxReceipt): string {
  return (
    `{"id":${q(r.id)},"seq":${r.seq},"revision":${r.revision},"sha256":${q(r.sha256)},` +
    `"captured_at":${q(r.capturedAt)},"printer":${q(r.printer)},"print_status":${q(r.printStatus)},` +
    `"print_reason":${q(r.printReason)},"receipt":${r.json}}`
  );
}

export function receiptsKind(store: Store): OutboxKind<ReceiptItem> {
  return {
    name: 'receipts',
    route: 'api/v1/receipts',
    member: 'receipts',
    take: (opts) =>
      store.takeReceiptBatch(opts).map((r) => ({
        id: r.id,
        key: `${r.id}:${r.revision}:${r.sha256}`,
        attempts: r.attempts,
        wire: receiptWire(r),
        sha256: r.sha256,
        revision: r.revision,
      })),
    settle(items, answer, at): SettleOutcome {
      const sent = new Map(items.map((i) => [i.id, i]));
      const held = [...answer.accepted, ...answer.duplicates, ...answer.revised].filter((id) => sent.has(id));
      const conflicts = answer.conflicts
        .filter((id) => sent.has(id))
        .map((id) => ({
          id,
          reason: `the server holds other content for this id (sent revision ${sent.get(id)!.revision}, sha256 ${sent.get(id)!.sha256.slice(0, 12)}…)`,
        }));
      const r = store.settleReceipts(
        held.map((id) => ({ id, sha256: sent.get(id)!.sha256 })),
        conflicts,
        at,
      );
      const answered = new Set([...held, ...conflicts.map((c) => c.id)]);
      return { synced: r.synced, parked: r.parked, unanswered: items.filter((i) => !answered.has(i.id)).map((i) => i.id) };
    },
  };
}

/** Health events: new → stored, held → no-op; both mean the server has it (no conflicts here). */
export function healthEventsKind(store: Store): OutboxKind {
  return {
    name: 'health-events',
    route: 'api/v1/health-events',
    member: 'events',
    take: (opts) =>
      store.takeHealthBatch(opts).map(({ event, attempts }) => ({
        id: event.id,
        // An event never changes once recorded: its id is its content.
        key: event.id,
        attempts,
        wire: JSON.stringify(healthEventToWire(event)),
      })),
    settle(items, answer, at): SettleOutcome {
      const sent = new Set(items.map((i) => i.id));
      const held = [...answer.accepted, ...answer.duplicates].filter((id) => sent.has(id));
      const r = store.settleHealthEvents(held, at);
      const answered = new Set(held);
      return { synced: r.synced, parked: 0, unanswered: items.filter((i) => !answered.has(i.id)).map((i) => i.id) };
    },
  };
}

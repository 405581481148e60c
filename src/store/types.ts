/**
 * The agent's local store (one SQLite file in the data directory). Contract for the modules in
 * src/store/ and their users (the agent pipeline in src/agent/, the `receipts` CLI, sync later).
 */
import type { Direction } from '../../drivers/types.js';
import type { HealthEvent } from '../health/types.js';
import type { JsonReceipt } from '../receipt/render/json.js';

export type PrintStatus = 'ok' | 'suspect' | 'failed';

export interface StoredReceipt {
  /** Client-made UUID, stable forever. */
  readonly id: string;
  /** Per-device sequence number, 1, 2, 3… in capture order. */
  readonly deviceSeq: number;
  readonly printer: string;
  readonly session: string;
  /** Byte range in the session's to-printer stream: [start, end). */
  readonly start: number;
  readonly end: number;
  /** ISO 8601 with zone. */
  readonly capturedAt: string;
  /** The receipt as `decode --json` gives it (fields included, card numbers masked). */
  readonly receipt: JsonReceipt;
  readonly printStatus: PrintStatus;
  /** Why it is suspect or failed ("paper end reported 14:01:07"); null when ok or not known. */
  readonly printReason: string | null;
  /** SHA-256 (hex) of the canonical JSON of `receipt`. */
  readonly sha256: string;
  readonly synced: boolean;
  /** 0 at capture; +1 each time a redecode changed the content (the server takes it as a correction). */
  readonly revision: number;
}

export interface SessionRow {
  readonly session: string;
  readonly printer: string;
  readonly peer: string;
  readonly startedAt: number;
  readonly endedAt: number | null;
  /** Bytes journaled for this session, to-printer direction. */
  readonly bytes: number;
  /** Every receipt ending at or before this offset is committed. */
  readonly decodedTo: number;
}

// ---- inputs and results of the Store's methods (src/store/index.ts) ---------------------------

export interface BeginSessionInput {
  readonly session: string;
  readonly printer: string;
  /** The POS side, e.g. `127.0.0.1:53122` or `/dev/pts/5`. */
  readonly peer: string;
  /** Milliseconds since the epoch. */
  readonly t: number;
}

/** One journaled chunk, as read back. */
export interface JournalChunk {
  readonly session: string;
  readonly dir: Direction;
  /** Where the chunk starts in its session's stream for its direction. */
  readonly offset: number;
  readonly t: number;
  readonly bytes: Buffer;
}

export interface CommitReceiptInput {
  readonly session: string;
  readonly printer: string;
  /** Byte range in the session's to-printer stream: [start, end). */
  readonly start: number;
  readonly end: number;
  /** ISO 8601 with zone. */
  readonly capturedAt: string;
  readonly receipt: JsonReceipt;
  readonly printStatus: PrintStatus;
  /** Why it is suspect or failed (src/health/print-status.ts); omitted or null when ok. */
  readonly printReason?: string | null;
}

export interface ListReceiptsOptions {
  readonly printer?: string;
  readonly limit?: number;
  /** Only receipts with a larger deviceSeq (paging, or "what is new since"). */
  readonly afterSeq?: number;
  /** Only synced (true) or only unsynced (false) receipts. */
  readonly synced?: boolean;
}

/** A receipt id, or an id with the content hash that was sent (marked only if it still matches). */
export type SyncedRef = string | { readonly id: string; readonly sha256: string };

export interface StoreStats {
  readonly receipts: number;
  readonly unsynced: number;
  readonly sessions: number;
  /** Journaled bytes, both directions, all sessions still kept. */
  readonly journalBytes: number;
  /** capturedAt of the newest receipt, null when there is none. */
  readonly lastCaptureAt: string | null;
  /** t of the newest journaled chunk (ms since the epoch), null when the journal is empty. */
  readonly lastChunkAt: number | null;
}

export interface PruneOptions {
  readonly olderThanDays: number;
  /** Milliseconds since the epoch; defaults to Date.now(). */
  readonly now?: number;
}

export interface PruneResult {
  /** Synced receipts deleted. */
  readonly receipts: number;
  /** Sessions whose journal (chunks and session row) was deleted. */
  readonly sessions: number;
  readonly chunks: number;
  readonly bytes: number;
}

export interface RedactOptions {
  /**
   * The command language the bytes are in, to find the text runs: `epson`, `clone`, `star-line`
   * (the printer profile's family), or `auto` (default): sniffed from the bytes as `decode`'s
   * auto profile does (ESC/POS read with the clone table, a superset, or Star Line mode).
   */
  readonly dialect?: 'auto' | 'epson' | 'clone' | 'star-line';
}

// ---- sync (src/store/outbox.ts, used by src/sync/) ---------------------------------------------

/** What the outbox holds, one table each: receipts (`outbox`), printer health events (`health_outbox`). */
export type OutboxKindName = 'receipts' | 'health-events';

/** A receipt taken from the outbox to be sent. */
export interface OutboxReceipt {
  readonly id: string;
  readonly seq: number;
  readonly revision: number;
  readonly sha256: string;
  readonly capturedAt: string;
  readonly printer: string;
  readonly printStatus: PrintStatus;
  readonly printReason: string | null;
  /** The receipt's canonical JSON: exactly the text `sha256` was computed over. */
  readonly json: string;
  /** Attempts already made for this row. */
  readonly attempts: number;
}

/** A health event taken from its outbox to be sent: the event, the attempts made. */
export interface OutboxHealthEvent {
  readonly event: HealthEvent;
  readonly attempts: number;
}

export interface TakeBatchOptions {
  readonly maxCount: number;
  /** The batch is cut before it would pass this many bytes (a single larger row is still taken). */
  readonly maxBytes: number;
  /** Milliseconds since the epoch; rows due by then are taken. Defaults to Date.now(). */
  readonly now?: number;
}

export interface SyncError {
  /** A stable code (src/sync/errors.ts), e.g. `SYNC_NETWORK`, `SYNC_HTTP_401`. */
  readonly code: string;
  readonly message: string;
  readonly at: number;
}

export interface SyncFailure extends SyncError {
  /** Not before this (ms since the epoch). */
  readonly nextAttemptAt: number;
}

export interface SyncSuccess {
  readonly at: number;
  /** Server clock minus ours, learnt from this answer; null / absent when it was not given. */
  readonly clockOffsetMs?: number | null;
}

export interface SyncSettled {
  readonly synced: number;
  readonly parked: number;
}

/** One outbox kind's sync state as persisted. Times are ms since the epoch. */
export interface SyncState {
  readonly kind: OutboxKindName;
  /** Consecutive failed attempts (0 after a success). */
  readonly failures: number;
  /** Nothing of this kind is sent before this (0: no backoff). */
  readonly nextAttemptAt: number;
  readonly lastAttemptAt: number | null;
  readonly lastSuccessAt: number | null;
  readonly lastError: SyncError | null;
  /** Server clock minus the agent's, from the last answer that gave it. */
  readonly clockOffsetMs: number | null;
  readonly clockOffsetAt: number | null;
}

export interface SyncKindStatus {
  /** Rows waiting to be sent (parked ones not counted). */
  readonly backlog: number;
  /** Rows the server answered as conflicts: never sent again automatically, never pruned. */
  readonly parked: number;
  readonly lastAttemptAt: number | null;
  readonly lastSuccessAt: number | null;
  readonly lastError: SyncError | null;
  readonly failures: number;
  /** When the next attempt may happen; null when nothing waits. */
  readonly nextAttemptAt: number | null;
}

/** `Store.syncStatus()`, for `tilltap status`: the receipts' figures on top, every kind below. */
export interface SyncStatus {
  readonly deviceId: string;
  readonly backlog: number;
  /** captured_at (ISO 8601 with zone) of the oldest receipt waiting; null when none waits. */
  readonly oldestUnsyncedAt: string | null;
  readonly parked: number;
  readonly lastSuccessAt: number | null;
  readonly lastError: SyncError | null;
  readonly nextAttemptAt: number | null;
  readonly clockOffsetMs: number | null;
  readonly kinds: Readonly<Record<OutboxKindName, SyncKindStatus>>;
}

export interface ParkedRow {
  readonly id: string;
  readonly parkedAt: number;
  readonly reason: string;
}

/**
 * The agent's local store (one SQLite file in the data directory). Contract for the modules in
 * src/store/ and their users (the agent pipeline in src/agent/, the `receipts` CLI, sync later).
 */
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
  /** SHA-256 (hex) of the canonical JSON of `receipt`. */
  readonly sha256: string;
  readonly synced: boolean;
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

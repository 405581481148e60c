/** What the agent's main thread and its worker thread (src/agent/worker.ts) say to each other. */
import type { ConfigData } from '../config-data.js';
import type { HealthChange } from '../health/types.js';
import type { AgentHealth, PipelinePrinter, Work } from './pipeline.js';
import type { SpoolPos } from './spool.js';

export interface WorkerInit {
  readonly dataDir: string;
  readonly printers: readonly PipelinePrinter[];
  /** Prune synced data older than this many days (hourly); null: never prune (tests, demo). */
  readonly retentionDays: number | null;
  /** Printer profiles and field templates, validated here: the worker does not read them again. */
  readonly configData: ConfigData;
  /** The relay's spool: replay its segments below `below` first (src/agent/spool.ts); null: none. */
  readonly spool: { readonly dir: string; readonly below: number } | null;
}

export type ToWorker =
  /** `upTo`: the JournalGate number of the last piece to the printer in `work` (or before it). */
  | { readonly type: 'work'; readonly work: readonly Work[]; readonly upTo: number }
  /**
   * The relay spooled work into segment `seg`, bytes `from`–`to` (src/agent/spool.ts): read it there.
   * `t0`, `t`: when the first and the last of it reached the relay (`wallClock()`, comparable
   * across threads); it tells the worker at most every SPOOLED_EVERY_MS.
   */
  | { readonly type: 'spooled'; readonly seg: number; readonly from: number; readonly to: number; readonly t0: number; readonly t: number }
  /**
   * A printer's health monitor (main thread): its changes, to be stored, and the last time the
   * printer was heard from (receipts sent before then can be given their print verdict).
   */
  | { readonly type: 'health'; readonly printer: string; readonly changes: readonly HealthChange[]; readonly heardAt: number }
  /** End the open sessions (their last receipts are committed), close the store, exit. */
  | { readonly type: 'stop'; readonly t: number };

export type FromWorker =
  /** Recovery is done; capture is on. */
  | { readonly type: 'ready'; readonly status: AgentHealth }
  | { readonly type: 'status'; readonly status: AgentHealth }
  /** The journal transaction for a `work` message is done (or failed: the gate must not wait). */
  | { readonly type: 'journaled'; readonly upTo: number }
  /** The spool is journaled up to `pos` (or that part failed to journal: it is not needed either). */
  | { readonly type: 'spool-journaled'; readonly pos: SpoolPos }
  | { readonly type: 'log'; readonly level: 'info' | 'warn' | 'error'; readonly obj: object; readonly msg?: string | undefined }
  /** The store could not be opened: the worker exits; the agent relays on and tries again later. */
  | { readonly type: 'fatal'; readonly message: string }
  | { readonly type: 'stopped' };

/**
 * While print data streams, the relay tells the worker where spooled bytes are at most this often:
 * the worker holds them until the line is quiet anyway (spool-hold.ts), and a message per write
 * would wake it — on two busy cores, taking the CPU from the POS or the relay — for each socket read.
 */
export const SPOOLED_EVERY_MS = 50;

/** Milliseconds on a clock both threads share (each thread's `performance.now()` has its own origin). */
export const wallClock = (): number => performance.timeOrigin + performance.now();

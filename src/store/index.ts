/**
 * The agent's durable local store: one SQLite file, `${dataDir}/tilltap.db`.
 *
 *   journal   raw chunks of every session, both directions, durable before decoding (journal.ts)
 *   receipts  decoded receipts, each committed with its outbox row in one transaction (receipts.ts)
 *   redact    no full card number left in the journal once its receipt is cut (redact.ts)
 *   prune     retention that never touches unsynced data (prune.ts)
 *
 * One Store per process; better-sqlite3 is synchronous, so every method has finished its commit
 * (fsynced, synchronous=FULL) when it returns. Other processes (a `tilltap receipts` command) may
 * open the same directory at the same time: WAL lets them read while the agent writes.
 */
import type Database from 'better-sqlite3';
import type { CaptureChunk, Direction } from '../../drivers/types.js';
import type { JsonReceipt } from '../receipt/render/json.js';
import type { HealthChange, HealthEvent, PrinterSnapshot } from '../health/types.js';
import { isoWithZoneMs } from '../local-time.js';
import { openDatabase, scrubWal } from './db.js';
import { HealthStore, type ListHealthOptions } from './health.js';
import { Journal } from './journal.js';
import { Sync } from './outbox.js';
import { Pruner } from './prune.js';
import { Receipts } from './receipts.js';
import { Redactor } from './redact.js';
import type {
  BeginSessionInput,
  CommitReceiptInput,
  JournalChunk,
  ListReceiptsOptions,
  OutboxHealthEvent,
  OutboxKindName,
  OutboxReceipt,
  ParkedRow,
  PruneOptions,
  PruneResult,
  RedactOptions,
  SessionRow,
  StoredReceipt,
  StoreStats,
  SyncedRef,
  SyncFailure,
  SyncSettled,
  SyncState,
  SyncStatus,
  SyncSuccess,
  TakeBatchOptions,
} from './types.js';

export type * from './types.js';
export { canonicalJson, sha256Hex } from './canonical.js';
export { DB_FILE } from './db.js';
export { LATEST_VERSION, MIGRATIONS, type Migration } from './migrations.js';
export { MIN_ID_PREFIX } from './receipts.js';
export { OUTBOX_KINDS, RECEIPT_ENVELOPE_BYTES } from './outbox.js';
export { healthEventToWire, type ListHealthOptions } from './health.js';

export class Store {
  private readonly journal: Journal;
  private readonly receipts: Receipts;
  private readonly redactor: Redactor;
  private readonly pruner: Pruner;
  private readonly sync: Sync;
  private readonly health: HealthStore;
  private readonly setMark: Database.Statement<[number, number]>;

  /**
   * The connection itself, for tests and for later modules that add their own tables (health,
   * sync state) through migrations here. Writes through it bypass the store's invariants.
   */
  readonly db: Database.Database;

  private constructor(db: Database.Database) {
    this.db = db;
    this.journal = new Journal(db);
    this.receipts = new Receipts(db);
    this.redactor = new Redactor(db, this.journal);
    this.pruner = new Pruner(db);
    this.sync = new Sync(db);
    this.health = new HealthStore(db, isoWithZoneMs);
    this.setMark = db.prepare('INSERT INTO spool_mark (one, seg, off) VALUES (1, ?, ?) ON CONFLICT (one) DO UPDATE SET seg = excluded.seg, off = excluded.off');
  }

  /** Create the directory if needed, open (or create) the file, apply pending migrations. */
  static open(dataDir: string): Store {
    return new Store(openDatabase(dataDir));
  }

  /** Checkpoint (the WAL is emptied, see redact.ts) and close. Safe to call twice. */
  close(): void {
    if (!this.db.open) return;
    // Best effort (see scrubWal): another process may be reading; the WAL stays consistent.
    scrubWal(this.db);
    this.db.close();
  }

  // ---- journal ---------------------------------------------------------------------------------

  beginSession(input: BeginSessionInput): void {
    this.journal.beginSession(input);
  }

  /**
   * Journal one chunk. Committed and fsynced when it returns. `offset` is where the chunk starts in
   * its session's stream for its direction (the two directions count separately). A chunk for a
   * session never begun starts one (peer `unknown`): the journal never drops bytes.
   */
  appendChunk(printer: string, chunk: CaptureChunk): { offset: number } {
    return this.journal.appendChunk(printer, chunk);
  }

  /** Where the relay's spool is journaled up to (src/agent/spool.ts); null: never spooled. */
  spoolMark(): { seg: number; off: number } | null {
    return (this.db.prepare('SELECT seg, off FROM spool_mark WHERE one = 1').get() as { seg: number; off: number } | undefined) ?? null;
  }

  /** Call inside the transaction that journals the records up to this position. */
  setSpoolMark(seg: number, off: number): void {
    this.setMark.run(seg, off);
  }

  endSession(session: string, t: number): void {
    this.journal.endSession(session, t);
  }

  /** The bytes of a session's stream in one direction, from `from` (to `to`, exclusive). */
  readStream(session: string, dir: Direction, from = 0, to?: number): Buffer {
    return this.journal.readStream(session, dir, from, to);
  }

  /** Like readStream, piece by piece (memory stays bounded on a long serial session). */
  iterateStream(session: string, dir: Direction, from = 0, to?: number): Generator<Buffer> {
    return this.journal.iterateStream(session, dir, from, to);
  }

  /** The chunks as journaled (with their times), overlapping [from, to) of one direction. */
  chunks(session: string, dir: Direction, from = 0, to?: number): Generator<JournalChunk> {
    return this.journal.chunks(session, dir, from, to);
  }

  session(session: string): SessionRow | null {
    return this.journal.session(session);
  }

  sessions(): SessionRow[] {
    return this.journal.sessions();
  }

  /** Sessions not ended, or not decoded to their end: what the agent must finish after a crash. */
  pendingSessions(): SessionRow[] {
    return this.journal.pendingSessions();
  }

  /** A stretch up to `upTo` that printed nothing (or whose receipts are committed) is done. */
  markDecoded(session: string, upTo: number): void {
    this.journal.markDecoded(session, upTo);
  }

  // ---- receipts --------------------------------------------------------------------------------

  /**
   * One transaction: the receipt (new UUID, next device sequence number, SHA-256 of its canonical
   * JSON), its outbox row, and the session's decoded_to advanced to `end`. Committing the same
   * (session, start) again is a no-op that returns null.
   */
  commitReceipt(input: CommitReceiptInput): StoredReceipt | null {
    return this.receipts.commit(input);
  }

  /** Oldest first (by deviceSeq). */
  listReceipts(opts: ListReceiptsOptions = {}): StoredReceipt[] {
    return this.receipts.list(opts);
  }

  /** By id or a unique prefix of at least 8 characters; null if none; throws if ambiguous. */
  getReceipt(id: string): StoredReceipt | null {
    return this.receipts.get(id);
  }

  /** Same id, new content; true if the content changed (it is then unsynced and queued again). */
  updateDecoded(id: string, receipt: JsonReceipt): boolean {
    return this.receipts.updateDecoded(id, receipt);
  }

  /** Returns how many receipts were marked; `{ id, sha256 }` marks only if the content still matches. */
  markSynced(ids: readonly SyncedRef[]): number {
    return this.receipts.markSynced(ids);
  }

  stats(): StoreStats {
    return this.receipts.stats();
  }

  // ---- sync (the outbox worker in src/sync/ and `tilltap status`) ------------------------------

  /** This data directory's device UUID, made once when the store was created or upgraded. */
  deviceId(): string {
    return this.sync.deviceId();
  }

  /** Due receipts in queue order, up to `maxCount` and about `maxBytes` on the wire (at least one). */
  takeReceiptBatch(opts: TakeBatchOptions): OutboxReceipt[] {
    return this.sync.takeReceipts(opts);
  }

  /**
   * Apply the server's answer: `synced` ({ id, sha256 } as sent) leave the outbox unless a redecode
   * changed them meanwhile; `conflicts` are parked (kept, unsynced, not sent again automatically).
   */
  settleReceipts(
    synced: ReadonlyArray<Exclude<SyncedRef, string>>,
    conflicts: ReadonlyArray<{ id: string; reason: string }>,
    at = Date.now(),
  ): SyncSettled {
    return this.sync.settleReceipts(synced, conflicts, at);
  }

  /** Due health events in the order they were recorded, up to `maxCount`. */
  takeHealthBatch(opts: TakeBatchOptions): OutboxHealthEvent[] {
    return this.sync.takeHealthEvents(opts);
  }

  /** The server holds these health events: synced, out of their outbox. */
  settleHealthEvents(ids: readonly string[], at = Date.now()): SyncSettled {
    return this.sync.settleHealthEvents(ids, at);
  }

  /**
   * A failed attempt: the rows sent record it; the kind waits until `failure.nextAttemptAt`
   * (persisted: a restart keeps waiting). `rowsOnly`: only these rows wait, the kind goes on.
   */
  recordSyncFailure(kind: OutboxKindName, ids: readonly string[], failure: SyncFailure, opts: { rowsOnly?: boolean } = {}): void {
    this.sync.recordFailure(kind, ids, failure, opts);
  }

  /**
   * Say which server and token (an opaque fingerprint, not the token) the worker sends to; a kind
   * whose backoff was earned with others starts afresh. Returns whether a backoff was cleared.
   */
  useSyncEndpoint(kind: OutboxKindName, endpoint: string): boolean {
    return this.sync.useEndpoint(kind, endpoint);
  }

  /** A successful exchange: the kind's backoff is cleared, the server clock offset kept. */
  recordSyncSuccess(kind: OutboxKindName, success: SyncSuccess): void {
    this.sync.recordSuccess(kind, success);
  }

  syncState(kind: OutboxKindName): SyncState {
    return this.sync.state(kind);
  }

  /** When the kind may send next (its backoff and its earliest ready row); null when nothing waits. */
  nextSyncDue(kind: OutboxKindName): number | null {
    return this.sync.nextDue(kind);
  }

  /** Backlog, oldest unsynced, parked, last success and error: what `tilltap status` shows. */
  syncStatus(): SyncStatus {
    return this.sync.status();
  }

  /** Receipts the server answered as conflicts, oldest parked first. */
  parkedReceipts(): ParkedRow[] {
    return this.sync.parkedReceipts();
  }

  // ---- printer health --------------------------------------------------------------------------

  /**
   * One transaction: the changes as health events (new UUID, next health sequence number, unsynced)
   * and the printer's current state. Each change is told against the stored state: its `previous`
   * and `durationMs` come from there, and a change to the state already stored is no event.
   * Returns the stored events.
   */
  appendHealthEvents(printer: string, changes: readonly HealthChange[]): HealthEvent[] {
    return this.health.append(printer, changes);
  }

  /** Oldest first (by seq); `from: 'newest'` with `limit` gives the most recent ones. */
  listHealthEvents(opts: ListHealthOptions = {}): HealthEvent[] {
    return this.health.list(opts);
  }

  /** Each printer's conditions as last recorded (what a restarted monitor starts from). */
  printerStates(): Map<string, PrinterSnapshot> {
    return this.health.printerStates();
  }

  /** Marks events accepted by the server; returns how many were marked. */
  markHealthSynced(ids: readonly string[]): number {
    return this.health.markSynced(ids);
  }

  // ---- card numbers and retention --------------------------------------------------------------

  /**
   * Star the middle digits of every card number (and track data, labelled expiry and CVV) in the
   * text of [start, end) of the session's to-printer stream. Same length: offsets hold. Returns
   * how many values were masked.
   */
  redactJournal(session: string, start: number, end: number, opts: RedactOptions = {}): number {
    return this.redactor.redact(session, start, end, opts);
  }

  /** Delete synced data older than N days; never an unsynced receipt or the journal behind one. */
  prune(opts: PruneOptions): PruneResult {
    return this.pruner.prune(opts);
  }
}

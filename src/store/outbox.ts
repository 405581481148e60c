/**
 * The sync side of the store: the device id, the outbox rows the worker takes and settles, and the
 * per-kind sync state (backoff, last success / error, server clock offset).
 *
 * Outbox kinds (receipts: `outbox`; printer health events: `health_outbox`, filled by a trigger)
 * each have their own outbox table of one shape — `<id column> PRIMARY KEY, attempts,
 * next_attempt_at, last_error, last_error_at, parked_at, parked_reason` — written in the same
 * transaction as the row it queues. OutboxQueue is the SQL over that shape; a kind adds only how
 * its due rows are read and how they are marked synced. Adding a kind: its table (a migration),
 * one OutboxQueue in Sync's constructor, a take and a settle method like the ones below.
 *
 * Two levels of backoff, both persisted so that a restart neither hammers a failing server nor
 * forgets that it was failing:
 *   - the kind's (sync_state.next_attempt_at): the server is down, refused the token, answered 5xx…
 *     nothing of that kind is sent before then;
 *   - the row's (outbox.next_attempt_at): the server rejected this one row (a single-row batch
 *     answered 400 / 413): it waits alone while the rest flows.
 */
import type Database from 'better-sqlite3';
import { type EventFields, toEvent } from './health.js';
import type {
  OutboxHealthEvent,
  OutboxKindName,
  OutboxReceipt,
  ParkedRow,
  PrintStatus,
  SyncedRef,
  SyncError,
  SyncFailure,
  SyncKindStatus,
  SyncSettled,
  SyncState,
  SyncStatus,
  SyncSuccess,
  TakeBatchOptions,
} from './types.js';

export const OUTBOX_KINDS: readonly OutboxKindName[] = ['receipts', 'health-events'];

/**
 * What one receipt adds to a batch besides its receipt JSON (id, seq, hashes, names, the member
 * keys): a generous upper bound, so that a batch cut by bytes stays under the limit.
 */
export const RECEIPT_ENVELOPE_BYTES = 400;

/** SQL over one outbox table of the common shape. */
export class OutboxQueue {
  private readonly failOne;
  private readonly parkOne;
  private readonly nextDueQuery;
  private readonly countsQuery;

  constructor(db: Database.Database, table: string, idColumn: string) {
    // Table and column names come from this module's constants, never from input.
    // max(): a row keeps its own later time (a rejected row waiting long stays waiting).
    this.failOne = db.prepare<[number, string, number, string]>(
      `UPDATE ${table} SET attempts = attempts + 1, next_attempt_at = max(next_attempt_at, ?), last_error = ?, last_error_at = ?
        WHERE ${idColumn} = ? AND parked_at IS NULL`,
    );
    this.parkOne = db.prepare<[number, string, string]>(
      `UPDATE ${table} SET parked_at = ?, parked_reason = ? WHERE ${idColumn} = ? AND parked_at IS NULL`,
    );
    this.nextDueQuery = db.prepare<[], { at: number | null }>(
      `SELECT min(next_attempt_at) AS at FROM ${table} WHERE parked_at IS NULL`,
    );
    this.countsQuery = db.prepare<[], { ready: number; parked: number }>(
      `SELECT count(*) FILTER (WHERE parked_at IS NULL) AS ready, count(*) FILTER (WHERE parked_at IS NOT NULL) AS parked FROM ${table}`,
    );
  }

  /**
   * An attempt failed for these rows: one more attempt and the error on each. `nextAttemptAt` is
   * for a failure of these rows alone; when the whole kind failed, the kind's own backoff holds
   * them and their times stay (so a backoff dropped later frees them all at once).
   */
  fail(ids: readonly string[], f: SyncError, nextAttemptAt = 0): number {
    const message = `${f.code}: ${f.message}`;
    let n = 0;
    for (const id of ids) n += this.failOne.run(nextAttemptAt, message, f.at, id).changes;
    return n;
  }

  park(id: string, reason: string, at: number): boolean {
    return this.parkOne.run(at, reason, id).changes > 0;
  }

  /** When the earliest ready row may be sent; null when nothing is waiting. */
  nextDue(): number | null {
    return this.nextDueQuery.get()!.at;
  }

  counts(): { ready: number; parked: number } {
    return this.countsQuery.get()!;
  }
}

interface StateRow {
  kind: string;
  failures: number;
  next_attempt_at: number;
  last_attempt_at: number | null;
  last_success_at: number | null;
  last_error: string | null;
  last_error_code: string | null;
  last_error_at: number | null;
  clock_offset_ms: number | null;
  clock_offset_at: number | null;
  endpoint: string | null;
}

interface OutboxReceiptRow {
  id: string;
  device_seq: number;
  revision: number;
  sha256: string;
  captured_at: string;
  printer: string;
  print_status: PrintStatus;
  print_reason: string | null;
  json: string;
  attempts: number;
}

interface OutboxEventRow extends EventFields {
  attempts: number;
}

function toState(kind: OutboxKindName, r: StateRow | undefined): SyncState {
  if (!r) return { kind, failures: 0, nextAttemptAt: 0, lastAttemptAt: null, lastSuccessAt: null, lastError: null, clockOffsetMs: null, clockOffsetAt: null };
  return {
    kind,
    failures: r.failures,
    nextAttemptAt: r.next_attempt_at,
    lastAttemptAt: r.last_attempt_at,
    lastSuccessAt: r.last_success_at,
    lastError: r.last_error !== null && r.last_error_at !== null ? { code: r.last_error_code ?? 'UNKNOWN', message: r.last_error, at: r.last_error_at } : null,
    clockOffsetMs: r.clock_offset_ms,
    clockOffsetAt: r.clock_offset_at,
  };
}

export class Sync {
  private readonly queues: Record<OutboxKindName, OutboxQueue>;
  private readonly deviceQuery;
  private readonly stateQuery;
  private readonly ensureState;
  private readonly successUpdate;
  private readonly failureUpdate;
  private readonly endpointUpdate;
  private readonly errorUpdate;
  private readonly dueReceipts;
  private readonly markOneIfSha;
  private readonly dequeueReceipt;
  private readonly oldestWaiting;
  private readonly parkedQuery;
  private readonly dueEvents;
  private readonly markEvent;
  private deviceIdCache: string | null = null;

  constructor(private readonly db: Database.Database) {
    this.queues = {
      receipts: new OutboxQueue(db, 'outbox', 'receipt_id'),
      'health-events': new OutboxQueue(db, 'health_outbox', 'event_id'),
    };
    this.deviceQuery = db.prepare<[], { id: string }>('SELECT id FROM device WHERE one = 1');
    this.stateQuery = db.prepare<[string], StateRow>('SELECT * FROM sync_state WHERE kind = ?');
    this.ensureState = db.prepare<[string]>('INSERT INTO sync_state (kind) VALUES (?) ON CONFLICT (kind) DO NOTHING');
    this.successUpdate = db.prepare<[number, number, number | null, number | null, string]>(
      `UPDATE sync_state SET failures = 0, next_attempt_at = 0, last_attempt_at = ?, last_success_at = ?,
         clock_offset_ms = coalesce(?, clock_offset_ms), clock_offset_at = coalesce(?, clock_offset_at)
        WHERE kind = ?`,
    );
    this.failureUpdate = db.prepare<[number, number, string, string, number, string]>(
      `UPDATE sync_state SET failures = failures + 1, next_attempt_at = ?, last_attempt_at = ?,
         last_error = ?, last_error_code = ?, last_error_at = ?
        WHERE kind = ?`,
    );
    this.errorUpdate = db.prepare<[string, string, number, number, string]>(
      'UPDATE sync_state SET last_error = ?, last_error_code = ?, last_error_at = ?, last_attempt_at = ? WHERE kind = ?',
    );
    this.endpointUpdate = db.prepare<[string, string, string]>(
      `UPDATE sync_state SET endpoint = ?, failures = 0, next_attempt_at = 0 WHERE kind = ? AND endpoint IS NOT ?`,
    );
    // Queue order (outbox rowid: capture order, a redecoded receipt at the end), so a retried batch
    // is the same batch and carries the same Idempotency-Key.
    this.dueReceipts = db.prepare<[number, number], OutboxReceiptRow>(
      `SELECT r.id, r.device_seq, r.revision, r.sha256, r.captured_at, r.printer, r.print_status, r.print_reason, r.json, o.attempts
         FROM outbox o JOIN receipts r ON r.id = o.receipt_id
        WHERE o.parked_at IS NULL AND o.next_attempt_at <= ?
        ORDER BY o.rowid
        LIMIT ?`,
    );
    this.markOneIfSha = db.prepare<[number, string, string]>(
      'UPDATE receipts SET synced = 1, synced_at = ? WHERE id = ? AND sha256 = ? AND synced = 0',
    );
    this.dequeueReceipt = db.prepare<[string]>('DELETE FROM outbox WHERE receipt_id = ?');
    this.oldestWaiting = db.prepare<[], { captured_at: string }>(
      `SELECT r.captured_at FROM outbox o JOIN receipts r ON r.id = o.receipt_id
        WHERE o.parked_at IS NULL ORDER BY r.captured_ms LIMIT 1`,
    );
    this.dueEvents = db.prepare<[number, number], OutboxEventRow>(
      `SELECT e.id, e.seq, e.printer, e.at, e.at_ms, e.kind, e.state, e.previous, e.duration_ms, e.detail, o.attempts
         FROM health_outbox o JOIN health_events e ON e.id = o.event_id
        WHERE o.parked_at IS NULL AND o.next_attempt_at <= ?
        ORDER BY o.rowid
        LIMIT ?`,
    );
    // The trigger health_events_sent takes the event out of its outbox.
    this.markEvent = db.prepare<[number, string]>('UPDATE health_events SET synced = 1, synced_at = ? WHERE id = ? AND synced = 0');
    this.parkedQuery = db.prepare<[], { id: string; parked_at: number; parked_reason: string | null }>(
      'SELECT receipt_id AS id, parked_at, parked_reason FROM outbox WHERE parked_at IS NOT NULL ORDER BY parked_at, rowid',
    );
  }

  parkedReceipts(): ParkedRow[] {
    return this.parkedQuery.all().map((r) => ({ id: r.id, parkedAt: r.parked_at, reason: r.parked_reason ?? '' }));
  }

  deviceId(): string {
    this.deviceIdCache ??= this.deviceQuery.get()!.id;
    return this.deviceIdCache;
  }

  state(kind: OutboxKindName): SyncState {
    return toState(kind, this.stateQuery.get(kind));
  }

  recordSuccess(kind: OutboxKindName, s: SyncSuccess): void {
    this.db
      .transaction(() => {
        this.ensureState.run(kind);
        this.successUpdate.run(s.at, s.at, s.clockOffsetMs ?? null, s.clockOffsetMs === undefined || s.clockOffsetMs === null ? null : s.at, kind);
      })
      .immediate();
  }

  /**
   * The server and token the worker sends to now (an opaque fingerprint). When they differ from
   * the ones the kind's backoff was earned with, the backoff is cleared; returns whether it was.
   */
  useEndpoint(kind: OutboxKindName, endpoint: string): boolean {
    return this.db
      .transaction((): boolean => {
        const before = this.stateQuery.get(kind);
        this.ensureState.run(kind);
        const changed = this.endpointUpdate.run(endpoint, kind, endpoint).changes > 0;
        return changed && before !== undefined && before.next_attempt_at > 0;
      })
      .immediate();
  }

  /**
   * A failed attempt: the kind waits until f.nextAttemptAt, and the rows sent (if any) record the
   * attempt and error. With `rowsOnly` the kind itself is not held back (a row the server
   * rejected on its own merits).
   */
  recordFailure(kind: OutboxKindName, ids: readonly string[], f: SyncFailure, opts: { rowsOnly?: boolean } = {}): void {
    this.db
      .transaction(() => {
        this.queues[kind].fail(ids, f, opts.rowsOnly ? f.nextAttemptAt : 0);
        this.ensureState.run(kind);
        if (opts.rowsOnly) {
          // The error is still the last thing that happened for status; the kind is not delayed.
          this.errorUpdate.run(f.message, f.code, f.at, f.at, kind);
        } else {
          this.failureUpdate.run(f.nextAttemptAt, f.at, f.message, f.code, f.at, kind);
        }
      })
      .immediate();
  }

  /** Up to maxCount due receipts, cut at maxBytes (always at least one, however large). */
  takeReceipts(opts: TakeBatchOptions): OutboxReceipt[] {
    const { maxCount, maxBytes } = opts;
    if (!Number.isInteger(maxCount) || maxCount < 1) throw new RangeError(`takeReceiptBatch: bad maxCount ${maxCount}`);
    if (!Number.isFinite(maxBytes) || maxBytes < 1) throw new RangeError(`takeReceiptBatch: bad maxBytes ${maxBytes}`);
    const out: OutboxReceipt[] = [];
    let bytes = 0;
    // Row by row, not all() then cut: a few long receipts (a report of thousands of lines is MBs of
    // JSON) would otherwise all be read to send one of them.
    for (const r of this.dueReceipts.iterate(opts.now ?? Date.now(), maxCount)) {
      // Canonical JSON is mostly ASCII; Buffer.byteLength is exact for the rest.
      const size = Buffer.byteLength(r.json) + RECEIPT_ENVELOPE_BYTES + Buffer.byteLength(r.printer) + r.captured_at.length;
      if (out.length > 0 && bytes + size > maxBytes) break;
      bytes += size;
      out.push({
        id: r.id,
        seq: r.device_seq,
        revision: r.revision,
        sha256: r.sha256,
        capturedAt: r.captured_at,
        printer: r.printer,
        printStatus: r.print_status,
        printReason: r.print_reason,
        json: r.json,
        attempts: r.attempts,
      });
    }
    return out;
  }

  /**
   * The server's answer to a batch, in one transaction: the receipts it holds now are synced and
   * leave the outbox (only if their content is still what was sent: a redecode during the flight
   * leaves the new revision queued), the conflicts are parked.
   */
  settleReceipts(synced: ReadonlyArray<Exclude<SyncedRef, string>>, conflicts: ReadonlyArray<{ id: string; reason: string }>, at: number): SyncSettled {
    return this.db
      .transaction((): SyncSettled => {
        let n = 0;
        for (const ref of synced) {
          if (this.markOneIfSha.run(at, ref.id, ref.sha256).changes > 0) {
            this.dequeueReceipt.run(ref.id);
            n++;
          }
        }
        let parked = 0;
        for (const c of conflicts) if (this.queues.receipts.park(c.id, c.reason, at)) parked++;
        return { synced: n, parked };
      })
      .immediate();
  }

  /** Up to maxCount due health events, in the order they were recorded. */
  takeHealthEvents(opts: TakeBatchOptions): OutboxHealthEvent[] {
    if (!Number.isInteger(opts.maxCount) || opts.maxCount < 1) throw new RangeError(`takeHealthBatch: bad maxCount ${opts.maxCount}`);
    // Events are a few hundred bytes each: the count bounds the body well below maxBytes.
    return this.dueEvents.all(opts.now ?? Date.now(), opts.maxCount).map((r) => ({
      attempts: r.attempts,
      // In the outbox means not yet synced.
      event: toEvent(r, false),
    }));
  }

  /** The server holds these events (accepted or duplicates): synced, out of their outbox. */
  settleHealthEvents(ids: readonly string[], at: number): SyncSettled {
    return this.db
      .transaction((): SyncSettled => {
        let n = 0;
        for (const id of ids) n += this.markEvent.run(at, id).changes;
        return { synced: n, parked: 0 };
      })
      .immediate();
  }

  /** When the kind may send next: the later of its own backoff and its earliest ready row. */
  nextDue(kind: OutboxKindName): number | null {
    const row = this.queues[kind].nextDue();
    if (row === null) return null;
    return Math.max(row, this.state(kind).nextAttemptAt);
  }

  status(): SyncStatus {
    const kinds = {} as Record<OutboxKindName, SyncKindStatus>;
    for (const kind of OUTBOX_KINDS) {
      const s = this.state(kind);
      const c = this.queues[kind].counts();
      kinds[kind] = {
        backlog: c.ready,
        parked: c.parked,
        lastAttemptAt: s.lastAttemptAt,
        lastSuccessAt: s.lastSuccessAt,
        lastError: s.lastError,
        failures: s.failures,
        nextAttemptAt: c.ready > 0 ? this.nextDue(kind) : null,
      };
    }
    const r = kinds.receipts;
    const state = this.state('receipts');
    return {
      deviceId: this.deviceId(),
      backlog: r.backlog,
      oldestUnsyncedAt: this.oldestWaiting.get()?.captured_at ?? null,
      parked: r.parked,
      lastSuccessAt: r.lastSuccessAt,
      lastError: r.lastError,
      nextAttemptAt: r.nextAttemptAt,
      clockOffsetMs: state.clockOffsetMs,
      kinds,
    };
  }
}

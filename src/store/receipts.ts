/**
 * Decoded receipts and their outbox entries.
 *
 * A receipt, its outbox row, the next device sequence number and the session's decoded_to move
 * together in ONE transaction: after a crash either all of them are in the file or none is, so the
 * replay of the journal from decoded_to finds exactly the receipts still missing. The replay may
 * also meet receipts already committed (decoded_to is only a lower bound when the agent replays a
 * whole session): UNIQUE (session, start_pos) makes committing one again a no-op, never a double.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { JsonReceipt } from '../receipt/render/json.js';
import { canonicalJson, sha256Hex } from './canonical.js';
import type { CommitReceiptInput, ListReceiptsOptions, PrintStatus, StoredReceipt, StoreStats, SyncedRef } from './types.js';

interface ReceiptDbRow {
  id: string;
  device_seq: number;
  printer: string;
  session: string;
  start_pos: number;
  end_pos: number;
  captured_at: string;
  print_status: PrintStatus;
  print_reason: string | null;
  json: string;
  sha256: string;
  synced: number;
  revision: number;
}

const COLUMNS = 'id, device_seq, printer, session, start_pos, end_pos, captured_at, print_status, print_reason, json, sha256, synced, revision';

/** A short id typed by a person (`receipts show 3f2a9c1e`) must still say which receipt it is. */
export const MIN_ID_PREFIX = 8;

function toStored(r: ReceiptDbRow): StoredReceipt {
  let parsed: JsonReceipt | null = null;
  return {
    id: r.id,
    deviceSeq: r.device_seq,
    printer: r.printer,
    session: r.session,
    start: r.start_pos,
    end: r.end_pos,
    capturedAt: r.captured_at,
    // Parsed when first read: the agent's commit only wants the id and sequence number, and a
    // receipt of thousands of lines takes a while to parse (and to collect).
    get receipt(): JsonReceipt {
      return (parsed ??= JSON.parse(r.json) as JsonReceipt);
    },
    printStatus: r.print_status,
    printReason: r.print_reason,
    sha256: r.sha256,
    synced: r.synced === 1,
    revision: r.revision,
  };
}

const PRINT_STATUSES: ReadonlySet<string> = new Set<PrintStatus>(['ok', 'suspect', 'failed']);

export class Receipts {
  private readonly sessionOf;
  private readonly byStart;
  private readonly nextSeq;
  private readonly insert;
  private readonly insertOutbox;
  private readonly advance;
  private readonly byId;
  private readonly byPrefix;
  private readonly update;
  private readonly requeue;
  private readonly markOne;
  private readonly markOneIfSha;
  private readonly dequeue;
  private readonly statsQuery;
  private readonly commitTx;

  constructor(private readonly db: Database.Database) {
    this.sessionOf = db.prepare<[string], { printer: string }>('SELECT printer FROM sessions WHERE session = ?');
    this.byStart = db.prepare<[string, number], { id: string }>('SELECT id FROM receipts WHERE session = ? AND start_pos = ?');
    this.nextSeq = db.prepare<[], { value: number }>(
      "UPDATE counters SET value = value + 1 WHERE name = 'device_seq' RETURNING value",
    );
    this.insert = db.prepare<[string, number, string, string, number, number, string, number, PrintStatus, string | null, string, string]>(
      `INSERT INTO receipts (id, device_seq, printer, session, start_pos, end_pos, captured_at, captured_ms, print_status, print_reason, json, sha256)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertOutbox = db.prepare<[string, number]>('INSERT INTO outbox (receipt_id, next_attempt_at) VALUES (?, ?)');
    // decoded_to never passes the journaled bytes (see Journal.markDecoded).
    this.advance = db.prepare<[number, string]>(
      'UPDATE sessions SET decoded_to = max(decoded_to, min(?, bytes_out)) WHERE session = ?',
    );
    this.byId = db.prepare<[string], ReceiptDbRow>(`SELECT ${COLUMNS} FROM receipts WHERE id = ?`);
    // Ids are lower-case hex and dashes; '~' sorts after all of them, so this is a prefix range
    // the primary key index answers.
    this.byPrefix = db.prepare<[string, string], ReceiptDbRow>(
      `SELECT ${COLUMNS} FROM receipts WHERE id >= ? AND id < ? || '~' ORDER BY id LIMIT 2`,
    );
    this.update = db.prepare<[string, string, string]>(
      'UPDATE receipts SET json = ?, sha256 = ?, revision = revision + 1, synced = 0, synced_at = NULL WHERE id = ?',
    );
    // New content is a new revision: whatever the server said about the old one (an error, a
    // conflict that parked it) no longer applies, so the row is ready again.
    this.requeue = db.prepare<[string, number]>(
      `INSERT INTO outbox (receipt_id, next_attempt_at) VALUES (?, ?)
       ON CONFLICT (receipt_id) DO UPDATE SET attempts = 0, next_attempt_at = excluded.next_attempt_at,
         last_error = NULL, last_error_at = NULL, parked_at = NULL, parked_reason = NULL`,
    );
    this.markOne = db.prepare<[number, string]>('UPDATE receipts SET synced = 1, synced_at = ? WHERE id = ? AND synced = 0');
    this.markOneIfSha = db.prepare<[number, string, string]>(
      'UPDATE receipts SET synced = 1, synced_at = ? WHERE id = ? AND sha256 = ? AND synced = 0',
    );
    this.dequeue = db.prepare<[string]>('DELETE FROM outbox WHERE receipt_id = ?');
    this.statsQuery = db.prepare<
      [],
      { receipts: number; unsynced: number; sessions: number; journal: number | null; last: string | null; lastChunk: number | null }
    >(
      `SELECT (SELECT count(*) FROM receipts) AS receipts,
              (SELECT count(*) FROM receipts WHERE synced = 0) AS unsynced,
              (SELECT count(*) FROM sessions) AS sessions,
              (SELECT sum(bytes_out + bytes_in) FROM sessions) AS journal,
              (SELECT captured_at FROM receipts ORDER BY device_seq DESC LIMIT 1) AS last,
              (SELECT t FROM chunks ORDER BY id DESC LIMIT 1) AS lastChunk`,
    );

    this.commitTx = db.transaction((input: CommitReceiptInput): StoredReceipt | null => {
      const s = this.sessionOf.get(input.session);
      if (!s) throw new Error(`commitReceipt: no session ${input.session} in the journal`);
      if (s.printer !== input.printer) {
        throw new Error(`commitReceipt: session ${input.session} belongs to printer "${s.printer}", not "${input.printer}"`);
      }
      this.advance.run(input.end, input.session);
      // Already committed (a replay after a crash, a redecode): nothing more to do.
      if (this.byStart.get(input.session, input.start)) return null;
      const json = canonicalJson(input.receipt);
      const sha256 = sha256Hex(json);
      const id = randomUUID();
      const seq = this.nextSeq.get()!.value;
      this.insert.run(
        id,
        seq,
        input.printer,
        input.session,
        input.start,
        input.end,
        input.capturedAt,
        Date.parse(input.capturedAt),
        input.printStatus,
        input.printReason ?? null,
        json,
        sha256,
      );
      this.insertOutbox.run(id, Date.now());
      // What was just written, without reading it back.
      return toStored({
        id,
        device_seq: seq,
        printer: input.printer,
        session: input.session,
        start_pos: input.start,
        end_pos: input.end,
        captured_at: input.capturedAt,
        print_status: input.printStatus,
        print_reason: input.printReason ?? null,
        json,
        sha256,
        synced: 0,
        revision: 0,
      });
    });
  }

  commit(input: CommitReceiptInput): StoredReceipt | null {
    const { start, end } = input;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start) {
      throw new RangeError(`commitReceipt: bad byte range [${start}, ${end})`);
    }
    if (Number.isNaN(Date.parse(input.capturedAt))) throw new RangeError(`commitReceipt: capturedAt "${input.capturedAt}" is not a date`);
    if (!PRINT_STATUSES.has(input.printStatus)) throw new RangeError(`commitReceipt: unknown printStatus "${input.printStatus}"`);
    // IMMEDIATE: the device sequence number is read and bumped under the write lock.
    return this.commitTx.immediate(input);
  }

  list(opts: ListReceiptsOptions = {}): StoredReceipt[] {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (opts.printer !== undefined) {
      where.push('printer = ?');
      params.push(opts.printer);
    }
    if (opts.afterSeq !== undefined) {
      where.push('device_seq > ?');
      params.push(opts.afterSeq);
    }
    if (opts.synced !== undefined) {
      where.push('synced = ?');
      params.push(opts.synced ? 1 : 0);
    }
    let sql = `SELECT ${COLUMNS} FROM receipts${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY device_seq`;
    if (opts.limit !== undefined) {
      if (!Number.isInteger(opts.limit) || opts.limit < 0) throw new RangeError(`listReceipts: bad limit ${opts.limit}`);
      sql += ' LIMIT ?';
      params.push(opts.limit);
    }
    return this.db.prepare<Array<string | number>, ReceiptDbRow>(sql).all(...params).map(toStored);
  }

  /** By id, or by a unique prefix of at least MIN_ID_PREFIX characters; null when none matches. */
  get(idOrPrefix: string): StoredReceipt | null {
    const key = idOrPrefix.trim().toLowerCase();
    const exact = this.byId.get(key);
    if (exact) return toStored(exact);
    if (key.length < MIN_ID_PREFIX) {
      throw new RangeError(`receipt id "${idOrPrefix}" is too short: give at least ${MIN_ID_PREFIX} characters`);
    }
    if (!/^[0-9a-f-]+$/.test(key)) return null;
    const rows = this.byPrefix.all(key, key);
    if (rows.length > 1) throw new Error(`receipt id prefix "${idOrPrefix}" is ambiguous: give more characters`);
    return rows[0] ? toStored(rows[0]) : null;
  }

  /**
   * New decoded content for a stored receipt (same id). Returns whether the content changed; when
   * it did its revision goes up by one and the receipt is unsynced again and back in the outbox
   * (un-parked too: the server accepts a higher revision from this device as a correction).
   */
  updateDecoded(id: string, receipt: JsonReceipt): boolean {
    return this.db
      .transaction((): boolean => {
        const row = this.byId.get(id);
        if (!row) throw new Error(`updateDecoded: no receipt ${id}`);
        const json = canonicalJson(receipt);
        const sha256 = sha256Hex(json);
        if (sha256 === row.sha256) return false;
        this.update.run(json, sha256, id);
        this.requeue.run(id, Date.now());
        return true;
      })
      .immediate();
  }

  /**
   * Mark receipts as accepted by the server; returns how many were marked. With `{ id, sha256 }`
   * a receipt is marked only if its content is still what was sent: a redecode that changed it
   * while the batch was in flight leaves it unsynced.
   */
  markSynced(refs: readonly SyncedRef[], now = Date.now()): number {
    return this.db
      .transaction((): number => {
        let n = 0;
        for (const ref of refs) {
          const r = typeof ref === 'string' ? this.markOne.run(now, ref) : this.markOneIfSha.run(now, ref.id, ref.sha256);
          if (r.changes > 0) {
            this.dequeue.run(typeof ref === 'string' ? ref : ref.id);
            n++;
          }
        }
        return n;
      })
      .immediate();
  }

  stats(): StoreStats {
    const r = this.statsQuery.get()!;
    return {
      receipts: r.receipts,
      unsynced: r.unsynced,
      sessions: r.sessions,
      journalBytes: r.journal ?? 0,
      lastCaptureAt: r.last,
      lastChunkAt: r.lastChunk,
    };
  }
}

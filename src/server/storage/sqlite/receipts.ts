/**
 * Receipts as head office holds them: the current revision per id, earlier revisions in
 * receipt_revisions, refused arrivals in receipt_conflicts. A batch is one transaction with
 * prepared statements (see SqliteIdempotency.run).
 */
import type Database from 'better-sqlite3';
import { planReceipts } from '../batch.js';
import type { HeldReceipt } from '../classify.js';
import {
  CONFLICT_COLUMNS,
  RECEIPT_COLUMNS,
  RECEIPT_ORDER,
  REVISION_COLUMNS,
  toConflict,
  toReceipt,
  toRevision,
  fieldsJsonOf,
  FIELDS_COLUMNS,
  FIELDS_UPDATE,
  whereEqual,
  type ConflictRow,
  type ReceiptRow,
  type RevisionRow,
} from '../rows.js';
import type {
  ConflictRecord,
  Idempotent,
  IncomingReceipt,
  IngestContext,
  ListReceiptsFilter,
  ReceiptIngestResult,
  ReceiptRevision,
  ReceiptStorage,
  ServerReceipt,
  StoredAnswer,
} from '../types.js';
import type { SqliteIdempotency } from './idempotency.js';

/** store, device, terminal, seq, revision, sha256, captured_at, captured_ms, local_date, printer, print_status,
 *  print_reason, terminal_id, merchant_id, json, received_at, id */
type Bind = [
  string, string, string | null, number, number, string, string, number, string, string, string, string | null,
  string | null, string | null, string, string, string,
];

/** receipt_fields: id, store, local_date, device, terminal, printer, captured_at, print_status, print_reason, fields */
type FieldsBind = [string, string, string, string, string | null, string, string, string, string | null, string];

export class SqliteReceipts implements ReceiptStorage {
  private readonly held;
  private readonly inHistory;
  private readonly insert;
  private readonly archive;
  private readonly replace;
  private readonly putFields;
  private readonly logConflict;
  private readonly byId;
  private readonly revisionsOf;

  constructor(
    private readonly db: Database.Database,
    private readonly idempotency: SqliteIdempotency,
  ) {
    this.held = db.prepare<[string], HeldReceipt>('SELECT store, device, revision, sha256 FROM receipts WHERE id = ?');
    this.inHistory = db.prepare<[string, string, string], { one: number }>(
      'SELECT 1 AS one FROM receipt_revisions WHERE receipt_id = ? AND sha256 = ? AND device = ?',
    );
    this.insert = db.prepare<Bind>(
      `INSERT INTO receipts (store, device, terminal, seq, revision, sha256, captured_at, captured_ms, local_date, printer,
         print_status, print_reason, terminal_id, merchant_id, json, received_at, id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.archive = db.prepare<[string, string]>(
      `INSERT INTO receipt_revisions (receipt_id, revision, device, terminal, seq, sha256, captured_at, printer, print_status,
         print_reason, terminal_id, merchant_id, json, received_at, replaced_at)
       SELECT id, revision, device, terminal, seq, sha256, captured_at, printer, print_status, print_reason, terminal_id,
         merchant_id, json, received_at, ? FROM receipts WHERE id = ?`,
    );
    // The same column order as insert, so one binding serves both (id last).
    this.replace = db.prepare<Bind>(
      `UPDATE receipts SET store = ?, device = ?, terminal = ?, seq = ?, revision = ?, sha256 = ?, captured_at = ?,
         captured_ms = ?, local_date = ?, printer = ?, print_status = ?, print_reason = ?, terminal_id = ?, merchant_id = ?,
         json = ?, received_at = ?
       WHERE id = ?`,
    );
    this.putFields = db.prepare<FieldsBind>(
      `INSERT INTO receipt_fields (${FIELDS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET ${FIELDS_UPDATE}`,
    );
    this.logConflict = db.prepare<[string, string, string, string, number, string, string, string, number, string, string, string]>(
      `INSERT INTO receipt_conflicts (receipt_id, store, device, reason, revision, sha256, held_store, held_device, held_revision,
         held_sha256, json, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byId = db.prepare<[string], ReceiptRow>(`SELECT ${RECEIPT_COLUMNS} FROM receipts WHERE id = ?`);
    this.revisionsOf = db.prepare<[string], RevisionRow>(`SELECT ${REVISION_COLUMNS} FROM receipt_revisions WHERE receipt_id = ? ORDER BY revision`);
  }

  async ingest(
    ctx: IngestContext,
    receipts: readonly IncomingReceipt[],
    answer: (result: ReceiptIngestResult) => StoredAnswer,
  ): Promise<Idempotent<ReceiptIngestResult>> {
    return this.idempotency.run(ctx, () => this.store(ctx, receipts), answer);
  }

  /** Inside the batch's transaction: decide the whole batch (batch.ts), then write it. */
  private store(ctx: IngestContext, receipts: readonly IncomingReceipt[]): ReceiptIngestResult {
    const device = ctx.device.id;
    const { result, writes } = planReceipts({ store: ctx.store, device }, receipts, {
      held: (id) => this.held.get(id) ?? null,
      inHistory: (id, sha256, dev) => this.inHistory.get(id, sha256, dev) !== undefined,
    });
    for (const w of writes) {
      const r = w.receipt;
      const values = (): Bind => [
        ctx.store, device, ctx.device.terminal, r.seq, r.revision, r.sha256, r.capturedAt, r.capturedMs, r.localDate, r.printer,
        r.printStatus, r.printReason, r.terminalId, r.merchantId, r.json, ctx.receivedAt, r.id,
      ];
      const matchValues = (): FieldsBind => [
        r.id, ctx.store, r.localDate, device, ctx.device.terminal, r.printer, r.capturedAt, r.printStatus, r.printReason, fieldsJsonOf(r),
      ];
      switch (w.kind) {
        case 'insert':
          this.insert.run(...values());
          this.putFields.run(...matchValues());
          break;
        case 'revise':
          this.archive.run(ctx.receivedAt, r.id);
          this.replace.run(...values());
          this.putFields.run(...matchValues());
          break;
        case 'conflict': {
          const h = w.held;
          this.logConflict.run(r.id, ctx.store, device, w.reason, r.revision, r.sha256, h.store, h.device, h.revision, h.sha256, r.json, ctx.receivedAt);
          break;
        }
      }
    }
    return result;
  }

  async list(filter: ListReceiptsFilter = {}): Promise<ServerReceipt[]> {
    const where = whereEqual(
      [
        ['store', filter.store],
        ['local_date', filter.date],
      ],
      () => '?',
    );
    const params: Array<string | number> = [...where.params];
    let sql = `SELECT ${RECEIPT_COLUMNS} FROM receipts${where.sql} ORDER BY ${RECEIPT_ORDER}`;
    if (filter.limit !== undefined || filter.offset !== undefined) {
      sql += ' LIMIT ? OFFSET ?';
      params.push(filter.limit ?? -1, filter.offset ?? 0);
    }
    return this.db.prepare<Array<string | number>, ReceiptRow>(sql).all(...params).map(toReceipt);
  }

  async get(id: string): Promise<ServerReceipt | null> {
    const r = this.byId.get(id);
    return r ? toReceipt(r) : null;
  }

  async revisions(id: string): Promise<ReceiptRevision[]> {
    return this.revisionsOf.all(id).map(toRevision);
  }

  async conflicts(filter: { readonly store?: string } = {}): Promise<ConflictRecord[]> {
    const where = whereEqual([['store', filter.store]], () => '?');
    return this.db
      .prepare<string[], ConflictRow>(`SELECT ${CONFLICT_COLUMNS} FROM receipt_conflicts${where.sql} ORDER BY seq`)
      .all(...where.params)
      .map(toConflict);
  }
}

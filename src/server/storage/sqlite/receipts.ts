/**
 * Receipts as head office holds them: the current revision per id, earlier revisions in
 * receipt_revisions, refused arrivals in receipt_conflicts. A batch is one transaction with
 * prepared statements (see SqliteIdempotency.run).
 */
import type Database from 'better-sqlite3';
import { classifyReceipt, type HeldReceipt } from '../classify.js';
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

interface ReceiptRow {
  id: string;
  store: string;
  device: string;
  terminal: string | null;
  seq: number;
  revision: number;
  sha256: string;
  captured_at: string;
  local_date: string;
  printer: string;
  print_status: ServerReceipt['printStatus'];
  print_reason: string | null;
  terminal_id: string | null;
  merchant_id: string | null;
  json: string;
  received_at: string;
}

const COLUMNS =
  'id, store, device, terminal, seq, revision, sha256, captured_at, local_date, printer, print_status, print_reason, terminal_id, merchant_id, json, received_at';

const toReceipt = (r: ReceiptRow): ServerReceipt => ({
  id: r.id,
  store: r.store,
  device: r.device,
  terminal: r.terminal,
  seq: r.seq,
  revision: r.revision,
  sha256: r.sha256,
  capturedAt: r.captured_at,
  localDate: r.local_date,
  printer: r.printer,
  printStatus: r.print_status,
  printReason: r.print_reason,
  terminalId: r.terminal_id,
  merchantId: r.merchant_id,
  json: r.json,
  receivedAt: r.received_at,
});

/** store, device, terminal, seq, revision, sha256, captured_at, captured_ms, local_date, printer, print_status,
 *  print_reason, terminal_id, merchant_id, json, received_at, id */
type Bind = [
  string, string, string | null, number, number, string, string, number, string, string, string, string | null,
  string | null, string | null, string, string, string,
];

export class SqliteReceipts implements ReceiptStorage {
  private readonly held;
  private readonly inHistory;
  private readonly insert;
  private readonly archive;
  private readonly replace;
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
    this.logConflict = db.prepare<[string, string, string, string, number, string, string, string, number, string, string, string]>(
      `INSERT INTO receipt_conflicts (receipt_id, store, device, reason, revision, sha256, held_store, held_device, held_revision,
         held_sha256, json, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byId = db.prepare<[string], ReceiptRow>(`SELECT ${COLUMNS} FROM receipts WHERE id = ?`);
    this.revisionsOf = db.prepare<
      [string],
      { receipt_id: string; revision: number; sha256: string; device: string; print_status: ServerReceipt['printStatus']; print_reason: string | null; json: string; received_at: string; replaced_at: string }
    >(
      `SELECT receipt_id, revision, sha256, device, print_status, print_reason, json, received_at, replaced_at
       FROM receipt_revisions WHERE receipt_id = ? ORDER BY revision`,
    );
  }

  async ingest(
    ctx: IngestContext,
    receipts: readonly IncomingReceipt[],
    answer: (result: ReceiptIngestResult) => StoredAnswer,
  ): Promise<Idempotent<ReceiptIngestResult>> {
    return this.idempotency.run(ctx, () => this.store(ctx, receipts), answer);
  }

  /** Inside the batch's transaction. */
  private store(ctx: IngestContext, receipts: readonly IncomingReceipt[]): ReceiptIngestResult {
    const result: ReceiptIngestResult = { accepted: [], duplicates: [], revised: [], conflicts: [] };
    const device = ctx.device.id;
    for (const r of receipts) {
      const held = this.held.get(r.id) ?? null;
      const decision = classifyReceipt(held, { store: ctx.store, device, revision: r.revision, sha256: r.sha256 }, () =>
        Boolean(this.inHistory.get(r.id, r.sha256, device)),
      );
      const values = (): Bind => [
        ctx.store, device, ctx.device.terminal, r.seq, r.revision, r.sha256, r.capturedAt, r.capturedMs, r.localDate, r.printer,
        r.printStatus, r.printReason, r.terminalId, r.merchantId, r.json, ctx.receivedAt, r.id,
      ];
      switch (decision.kind) {
        case 'accept':
          this.insert.run(...values());
          result.accepted.push(r.id);
          break;
        case 'duplicate':
          result.duplicates.push(r.id);
          break;
        case 'revise':
          this.archive.run(ctx.receivedAt, r.id);
          this.replace.run(...values());
          result.revised.push({ id: r.id, from: decision.from, to: r.revision });
          break;
        case 'conflict': {
          const h = held!;
          this.logConflict.run(r.id, ctx.store, device, decision.reason, r.revision, r.sha256, h.store, h.device, h.revision, h.sha256, r.json, ctx.receivedAt);
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
    return result;
  }

  async list(filter: ListReceiptsFilter = {}): Promise<ServerReceipt[]> {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (filter.store !== undefined) {
      where.push('store = ?');
      params.push(filter.store);
    }
    if (filter.date !== undefined) {
      where.push('local_date = ?');
      params.push(filter.date);
    }
    let sql = `SELECT ${COLUMNS} FROM receipts${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY captured_ms, device, seq, id`;
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
    return this.revisionsOf.all(id).map((r) => ({
      id: r.receipt_id,
      revision: r.revision,
      sha256: r.sha256,
      device: r.device,
      printStatus: r.print_status,
      printReason: r.print_reason,
      json: r.json,
      receivedAt: r.received_at,
      replacedAt: r.replaced_at,
    }));
  }

  async conflicts(filter: { readonly store?: string } = {}): Promise<ConflictRecord[]> {
    const rows = this.db
      .prepare<string[], Record<string, string | number>>(
        `SELECT * FROM receipt_conflicts${filter.store !== undefined ? ' WHERE store = ?' : ''} ORDER BY seq`,
      )
      .all(...(filter.store !== undefined ? [filter.store] : []));
    return rows.map((r) => ({
      seq: r.seq as number,
      receiptId: r.receipt_id as string,
      store: r.store as string,
      device: r.device as string,
      reason: r.reason as ConflictRecord['reason'],
      revision: r.revision as number,
      sha256: r.sha256 as string,
      heldStore: r.held_store as string,
      heldDevice: r.held_device as string,
      heldRevision: r.held_revision as number,
      heldSha256: r.held_sha256 as string,
      json: r.json as string,
      receivedAt: r.received_at as string,
    }));
  }
}

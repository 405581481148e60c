/**
 * Receipts as head office holds them: the current revision per id, earlier revisions in
 * receipt_revisions, refused arrivals in receipt_conflicts.
 *
 * A batch is one transaction of a few set-wise statements rather than one round trip per
 * receipt: the held rows of the batch's ids are read at once and locked (FOR UPDATE, in id order
 * so that two batches lock in the same order), the batch is decided in memory by the same rules
 * as SQLite (../batch.ts), the new receipts go in with multi-row INSERTs, and only revisions and
 * conflicts (rare) are written one by one. The lock keeps a held row from being revised by
 * another batch between our read and our write; a new id inserted by another batch meanwhile
 * makes our INSERT fail on the key, and the whole transaction runs again (pool.ts).
 */
import type pg from 'pg';
import { planReceipts, type ReceiptWrite } from '../batch.js';
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
import type { PgIdempotency } from './idempotency.js';
import { chunks, rowsPerStatement, valuesList } from './pool.js';

/** The written columns, in the order of `values()` below (id last, as the UPDATE binds it). */
const WRITE_COLUMNS = [
  'store', 'device', 'terminal', 'seq', 'revision', 'sha256', 'captured_at', 'captured_ms', 'local_date', 'printer',
  'print_status', 'print_reason', 'terminal_id', 'merchant_id', 'json', 'received_at', 'id',
] as const;

const INSERT_HEAD = `INSERT INTO receipts (${WRITE_COLUMNS.join(', ')}) VALUES `;
const INSERT_ROWS = rowsPerStatement(WRITE_COLUMNS.length);

const FIELDS_WIDTH = FIELDS_COLUMNS.split(', ').length;
const FIELDS_HEAD = `INSERT INTO receipt_fields (${FIELDS_COLUMNS}) VALUES `;
const FIELDS_ROWS = rowsPerStatement(FIELDS_WIDTH);

const ARCHIVE = `INSERT INTO receipt_revisions (receipt_id, revision, device, terminal, seq, sha256, captured_at, printer, print_status,
    print_reason, terminal_id, merchant_id, json, received_at, replaced_at)
  SELECT id, revision, device, terminal, seq, sha256, captured_at, printer, print_status, print_reason, terminal_id,
    merchant_id, json, received_at, $1 FROM receipts WHERE id = $2`;

const REPLACE = `UPDATE receipts SET ${WRITE_COLUMNS.slice(0, -1)
  .map((c, i) => `${c} = $${i + 1}`)
  .join(', ')} WHERE id = $${WRITE_COLUMNS.length}`;

const LOG_CONFLICT = `INSERT INTO receipt_conflicts (receipt_id, store, device, reason, revision, sha256, held_store, held_device, held_revision,
    held_sha256, json, received_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`;

type Cell = string | number | null;

function values(ctx: IngestContext, r: IncomingReceipt): Cell[] {
  return [
    ctx.store, ctx.device.id, ctx.device.terminal, r.seq, r.revision, r.sha256, r.capturedAt, r.capturedMs, r.localDate, r.printer,
    r.printStatus, r.printReason, r.terminalId, r.merchantId, r.json, ctx.receivedAt, r.id,
  ];
}

export class PgReceipts implements ReceiptStorage {
  constructor(
    private readonly pool: pg.Pool,
    private readonly idempotency: PgIdempotency,
  ) {}

  async ingest(
    ctx: IngestContext,
    receipts: readonly IncomingReceipt[],
    answer: (result: ReceiptIngestResult) => StoredAnswer,
  ): Promise<Idempotent<ReceiptIngestResult>> {
    return this.idempotency.run(ctx, (client) => this.store(client, ctx, receipts), answer);
  }

  /** Inside the batch's transaction. */
  private async store(client: pg.PoolClient, ctx: IngestContext, receipts: readonly IncomingReceipt[]): Promise<ReceiptIngestResult> {
    const ids = [...new Set(receipts.map((r) => r.id))];
    const held = new Map<string, HeldReceipt>();
    const history = new Set<string>();
    if (ids.length > 0) {
      const h = await client.query<HeldReceipt & { id: string }>(
        'SELECT id, store, device, revision, sha256 FROM receipts WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
        [ids],
      );
      for (const row of h.rows) held.set(row.id, { store: row.store, device: row.device, revision: row.revision, sha256: row.sha256 });
      if (held.size > 0) {
        const past = await client.query<{ receipt_id: string; sha256: string; device: string }>(
          'SELECT receipt_id, sha256, device FROM receipt_revisions WHERE receipt_id = ANY($1::text[])',
          [[...held.keys()]],
        );
        for (const row of past.rows) history.add(`${row.receipt_id}\u0000${row.sha256}\u0000${row.device}`);
      }
    }
    const { result, writes } = planReceipts({ store: ctx.store, device: ctx.device.id }, receipts, {
      held: (id) => held.get(id) ?? null,
      inHistory: (id, sha256, device) => history.has(`${id}\u0000${sha256}\u0000${device}`),
    });
    await this.write(client, ctx, writes);
    return result;
  }

  private async write(client: pg.PoolClient, ctx: IngestContext, writes: readonly ReceiptWrite[]): Promise<void> {
    // Every insert first (a revise of an id this batch inserted comes after it in any order),
    // by id: two batches inserting the same new ids wait on each other instead of deadlocking.
    const inserts = writes
      .filter((w) => w.kind === 'insert')
      .map((w) => w.receipt)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const part of chunks(inserts, INSERT_ROWS)) {
      await client.query(INSERT_HEAD + valuesList(part.length, WRITE_COLUMNS.length), part.flatMap((r) => values(ctx, r)));
    }
    for (const w of writes) {
      const r = w.receipt;
      if (w.kind === 'revise') {
        await client.query({ name: 'receipts.archive', text: ARCHIVE, values: [ctx.receivedAt, r.id] });
        await client.query({ name: 'receipts.replace', text: REPLACE, values: values(ctx, r) });
      } else if (w.kind === 'conflict') {
        const h = w.held;
        await client.query({
          name: 'receipts.conflict',
          text: LOG_CONFLICT,
          values: [r.id, ctx.store, ctx.device.id, w.reason, r.revision, r.sha256, h.store, h.device, h.revision, h.sha256, r.json, ctx.receivedAt],
        });
      }
    }
    // Each written receipt as the matcher reads it (the last write of an id the batch revised
    // after inserting it: one statement may not touch a row twice), by id as above.
    const last = new Map<string, IncomingReceipt>();
    for (const w of writes) if (w.kind !== 'conflict') last.set(w.receipt.id, w.receipt);
    const written = [...last.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const part of chunks(written, FIELDS_ROWS)) {
      await client.query(
        `${FIELDS_HEAD}${valuesList(part.length, FIELDS_WIDTH)} ON CONFLICT (id) DO UPDATE SET ${FIELDS_UPDATE}`,
        part.flatMap((r) => [r.id, ctx.store, r.localDate, ctx.device.id, ctx.device.terminal, r.printer, r.capturedAt, r.printStatus, r.printReason, fieldsJsonOf(r)]),
      );
    }
  }

  async list(filter: ListReceiptsFilter = {}): Promise<ServerReceipt[]> {
    const where = whereEqual(
      [
        ['store', filter.store],
        ['local_date', filter.date],
      ],
      (n) => `$${n}`,
    );
    const params: Array<string | number | null> = [...where.params];
    let sql = `SELECT ${RECEIPT_COLUMNS} FROM receipts${where.sql} ORDER BY ${RECEIPT_ORDER}`;
    if (filter.limit !== undefined || filter.offset !== undefined) {
      // LIMIT NULL is no limit.
      sql += ` LIMIT $${params.length + 1} OFFSET $${params.length + 2}`;
      params.push(filter.limit ?? null, filter.offset ?? 0);
    }
    return (await this.pool.query<ReceiptRow>(sql, params)).rows.map(toReceipt);
  }

  async get(id: string): Promise<ServerReceipt | null> {
    const r = await this.pool.query<ReceiptRow>(`SELECT ${RECEIPT_COLUMNS} FROM receipts WHERE id = $1`, [id]);
    return r.rows[0] ? toReceipt(r.rows[0]) : null;
  }

  async revisions(id: string): Promise<ReceiptRevision[]> {
    const r = await this.pool.query<RevisionRow>(`SELECT ${REVISION_COLUMNS} FROM receipt_revisions WHERE receipt_id = $1 ORDER BY revision`, [id]);
    return r.rows.map(toRevision);
  }

  async conflicts(filter: { readonly store?: string } = {}): Promise<ConflictRecord[]> {
    const where = whereEqual([['store', filter.store]], (n) => `$${n}`);
    const r = await this.pool.query<ConflictRow>(`SELECT ${CONFLICT_COLUMNS} FROM receipt_conflicts${where.sql} ORDER BY seq`, where.params);
    return r.rows.map(toConflict);
  }
}

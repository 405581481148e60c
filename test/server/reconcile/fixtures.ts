/**
 * Receipts as a store's device sends them, for the reconcile's storage tests (both backends):
 * the device's token, the ingest context, one receipt with the fields a test gives it; and a
 * statement row of the same terminal.
 */
import { expect } from 'vitest';
import type { StatementTxn } from '../../../src/server/statement.js';
import type { IncomingReceipt, IngestContext, Storage } from '../../../src/server/storage/types.js';
import { makeToken } from '../../../src/server/tokens.js';

export const NOW = '2026-11-21T01:00:00.000Z';

export function deviceContext(store = 'S01'): IngestContext {
  return { store, device: { id: `dev-${store}`, terminal: 'T01', version: '0.1.0', clockOffsetMs: 0, seenAt: NOW }, receivedAt: NOW, idempotency: null };
}

/** Receipt `id` of terminal 10086001 at merchant 102345678901234, its decoded `fields` as given. */
export function fixtureReceipt(id: string, fields: Record<string, unknown>, capturedAt = '2026-11-20T10:01:05+08:00'): IncomingReceipt {
  return {
    id,
    seq: Number(id.replace(/\D/g, '')) || 1,
    revision: 0,
    sha256: 'a'.repeat(64),
    capturedAt,
    capturedMs: Date.parse(capturedAt),
    localDate: capturedAt.slice(0, 10),
    printer: 'front',
    printStatus: 'ok',
    printReason: null,
    terminalId: '10086001',
    merchantId: '102345678901234',
    json: JSON.stringify({ text: 'x', fields }),
  };
}

/** `store`'s device token, then `receipts` ingested from it — all of them new. */
export async function ingestReceipts(s: Storage, store: string, receipts: IncomingReceipt[]): Promise<void> {
  const t = makeToken('device');
  await s.tokens.create({ id: t.id, hash: t.hash, role: 'device', store, createdAt: NOW });
  const out = await s.receipts.ingest(deviceContext(store), receipts, () => ({ status: 200, body: '{}' }));
  expect(out.kind).toBe('fresh');
}

/** Statement line `line`: an acquirer's sale of 10.00 + `line` fen at 10:`line` on 2026-11-20, its fields as given. */
export function statementTxn(line: number, over: Partial<StatementTxn> = {}): StatementTxn {
  return {
    line,
    source: 'acquirer',
    merchant_id: '102345678901234',
    terminal_id: '10086001',
    datetime: `2026-11-20T10:${String(line).padStart(2, '0')}:00`,
    trans_type: 'sale',
    amount_minor: 1000 + line,
    currency: 'CNY',
    reference_no: `31708047${String(line).padStart(4, '0')}`,
    raw: {},
    ...over,
  };
}

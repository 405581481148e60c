/**
 * A day run in parts through storage (`inParts`), below the matcher, on both backends: what a part
 * reads (rows by id, receipts by store, less what another day's run settled — with and without the
 * plan's reads before it), and that the matches a part saves come back exactly, a re-run of the
 * day replacing them.
 */
import { expect, it } from 'vitest';
import type { DayInParts, IncomingReceipt, MatchRecord, PlanReceiptRecord, PlanRowRecord, Storage } from '../../../src/server/storage/types.js';
import { PostgresStorage } from '../../../src/server/storage/postgres/index.js';
import { describeBackends, tableRows } from '../backends.js';
import { openDb } from '../helpers.js';
import { deviceContext, fixtureReceipt, ingestReceipts, NOW, statementTxn as txn } from './fixtures.js';

const DAY = '2026-11-20';
const window = (day = DAY) => ({
  day,
  from: '2026-11-19',
  to: '2026-11-21',
  fromMs: Date.parse('2026-11-19T00:00:00+08:00'),
  toMs: Date.parse('2026-11-22T00:00:00+08:00'),
});

const receipt = (id: string, capturedAt?: string): IncomingReceipt => fixtureReceipt(id, { amount_minor: Number(id.replace(/\D/g, '')) }, capturedAt);

const withReceipts = (s: Storage, store: string, ids: string[]): Promise<void> => ingestReceipts(s, store, ids.map((id) => receipt(id)));

function match(rowId: string, receiptIds: string[], over: Partial<MatchRecord> = {}): MatchRecord {
  return {
    statementRowId: rowId,
    date: DAY,
    group: receiptIds[0] ?? rowId,
    receiptIds,
    tier: 'rrn',
    confidence: 0.75,
    typeDiffers: false,
    deltaMs: -5000,
    store: 'S01',
    terminal: '10086001',
    operator: '01',
    transType: 'sale',
    amountMinor: 1001,
    currency: 'CNY',
    matchedAt: NOW,
    ...over,
  };
}

describeBackends('a day in parts (inParts)', (backend) => {
  /** Rows 2..7 of one file (7 on the next day), receipts r1..r4 in S01, r5..r6 in S02, r7 in S01 on the next day. */
  async function day(open: (db: string) => Promise<Storage> = openDb): Promise<{ s: Storage; row: (n: number) => string }> {
    const s = await open(await backend.fresh());
    await withReceipts(s, 'S01', ['r1', 'r2', 'r3', 'r4']);
    await withReceipts(s, 'S02', ['r5', 'r6']);
    await s.receipts.ingest(
      deviceContext('S01'),
      [receipt('r7', '2026-11-21T00:02:00+08:00')],
      () => ({ status: 200, body: '{}' }),
    );
    const rows = [2, 3, 4, 5, 6].map((n) => txn(n)).concat(txn(7, { datetime: '2026-11-21T00:01:00' }));
    const f = await s.statements.import({
      parsed: {
        source: 'acquirer',
        format: 'acquirer-csv',
        encoding: 'utf-8',
        language: 'zh',
        merchant_id: '102345678901234',
        date_from: '2026-11-20',
        date_to: '2026-11-21',
        content_sha256: '1'.repeat(64),
        rows,
      },
      store: null,
      name: 'a.csv',
      importedAt: NOW,
      importedBy: 'finance',
    });
    if (f.kind !== 'imported') throw new Error('import');
    return { s, row: (n) => `${f.file.id}:${n}` };
  }

  async function plan(tx: DayInParts): Promise<{ rows: PlanRowRecord[]; receipts: PlanReceiptRecord[] }> {
    const rows: PlanRowRecord[] = [];
    const receipts: PlanReceiptRecord[] = [];
    await tx.planRows((b) => rows.push(...b));
    await tx.planReceipts((b) => receipts.push(...b));
    return { rows, receipts };
  }

  /** The next day's run matched row 7 with r4 (a receipt of this day's window and store S01): the parts must leave both out. */
  async function partsOf(s: Storage, row: (n: number) => string): Promise<void> {
    await s.reconciliation.save({ day: '2026-11-21', matches: [match(row(7), ['r4'], { date: '2026-11-21' })], discrepancies: [] });

    for (const withPlan of [true, false]) {
      await s.reconciliation.inParts(window(), async (tx) => {
        if (withPlan) {
          const p = await plan(tx);
          expect(p.rows.map((r) => r.id).sort()).toEqual([2, 3, 4, 5, 6].map(row));
          // r4 is settled; r7 (next day) is in the window.
          expect(p.receipts.map((r) => r.store).sort()).toEqual(['S01', 'S01', 'S01', 'S01', 'S02', 'S02']);
        }
        // Asked for at once, as the run does: answered in the order asked.
        const [a, b] = await Promise.all([tx.part(['S01'], [row(3), row(2)]), tx.part(['S02'], [row(5)])]);
        expect(a.rows.map((r) => r.row.id).sort()).toEqual([row(2), row(3)]);
        expect(a.rows.find((r) => r.row.id === row(3))!.row.txn).toMatchObject({ line: 3, amount_minor: 1003, reference_no: '317080470003' });
        expect(a.rows.every((r) => r.date === DAY)).toBe(true);
        expect(a.receipts.map((r) => r.receipt.id).sort()).toEqual(['r1', 'r2', 'r3', 'r7']);
        expect(a.receipts.find((r) => r.receipt.id === 'r7')!.localDate).toBe('2026-11-21');
        expect(a.receipts.find((r) => r.receipt.id === 'r2')!.receipt.fields).toEqual({ amount_minor: 2 });
        expect(b.rows.map((r) => r.row.id)).toEqual([row(5)]);
        expect(b.receipts.map((r) => r.receipt.id).sort()).toEqual(['r5', 'r6']);
        // A part of no rows and a store with no receipts.
        expect(await tx.part(['S09'], [])).toEqual({ rows: [], receipts: [] });
      });
    }
  }

  it('a part reads its rows by id and its stores\' receipts, less those another day\'s run matched — with the plan read first or not', async () => {
    const { s, row } = await day();
    await partsOf(s, row);
  });

  // With one connection there is no second one to read the parts on: the run reads them on its own.
  it.skipIf(backend.name !== 'postgres')('the same parts from a pool of one connection', async () => {
    const { s, row } = await day((db) => PostgresStorage.open(db, { max: 1 }));
    try {
      await partsOf(s, row);
    } finally {
      await s.close();
    }
  });

  it('the matches parts save come back as saved; a re-run of the day replaces them and frees their receipts', async () => {
    const { s, row } = await day();
    const first = [
      match(row(2), ['r1', 'r2'], { typeDiffers: true, confidence: 1, tier: 'voucher' }),
      match(row(3), ['r3'], { store: null, terminal: null, operator: null, deltaMs: 123456789012, amountMinor: -250, transType: 'refund' }),
    ];
    await s.reconciliation.inParts(window(), async (tx) => {
      await plan(tx);
      const saved = [tx.saveMatches([first[1]!]), tx.saveMatches([first[0]!]), tx.saveMatches([])];
      await Promise.all(saved);
      await tx.saveDiscrepancies([]);
    });
    const norm = (m: MatchRecord): MatchRecord => ({ ...m, receiptIds: [...m.receiptIds].sort() });
    expect((await s.reconciliation.matches({ date: DAY })).map(norm)).toEqual([...first].sort((x, y) => (x.statementRowId < y.statementRowId ? -1 : 1)).map(norm));

    // A receipt held by this day's first run is free for its re-run: the re-run sees r1..r3 again.
    await s.reconciliation.inParts(window(), async (tx) => {
      const part = await tx.part(['S01'], [row(2)]);
      expect(part.receipts.map((r) => r.receipt.id).sort()).toEqual(['r1', 'r2', 'r3', 'r4', 'r7']);
      await tx.saveMatches([match(row(4), ['r2'])]);
      await tx.saveDiscrepancies([]);
    });
    expect((await s.reconciliation.matches({ date: DAY })).map((m) => [m.statementRowId, m.receiptIds])).toEqual([[row(4), ['r2']]]);
    expect((await tableRows(s, 'match_receipts')).map((r) => r.receipt_id)).toEqual(['r2']);
  });

  it('a part saving a receipt another part of the run already holds fails the run, and nothing of it stays', async () => {
    const { s, row } = await day();
    await expect(
      s.reconciliation.inParts(window(), async (tx) => {
        await tx.saveMatches([match(row(2), ['r1'])]);
        await tx.saveMatches([match(row(3), ['r1'])]);
        await tx.saveDiscrepancies([]);
      }),
    ).rejects.toThrow();
    expect(await s.reconciliation.matches()).toEqual([]);
    expect(await tableRows(s, 'match_receipts')).toEqual([]);
  });
});

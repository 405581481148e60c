/**
 * The statement and reconciliation groups of the server's storage, on SQLite and PostgreSQL:
 * files whole or not at all, the same file recognised, corrected files superseding, the database
 * refusing a row or a receipt matched twice, decisions kept by key across re-runs.
 */
import { expect, it } from 'vitest';
import { acquirerStatement } from '../../../scripts/gen/statements.js';
import { parseStatement, StatementError } from '../../../src/server/importers/index.js';
import { importStatement } from '../../../src/server/reconcile/import.js';
import type { ParsedStatement, StatementTxn } from '../../../src/server/statement.js';
import type {
  IncomingHealthEvent,
  IncomingReceipt,
  MatchRecord,
  NewDiscrepancy,
  NewStatementImport,
  Storage,
} from '../../../src/server/storage/types.js';
import { makeToken } from '../../../src/server/tokens.js';
import { describeBackends, tableRows } from '../backends.js';
import { openDb } from '../helpers.js';
import { deviceContext, fixtureReceipt, ingestReceipts, NOW, statementTxn } from './fixtures.js';

/** With a masked card number and the raw reference column, as an acquirer's file has them. */
function txn(line: number, over: Partial<StatementTxn> = {}): StatementTxn {
  return statementTxn(line, { card_number: '622588******1234', raw: { 参考号: `31708047${String(line).padStart(4, '0')}` }, ...over });
}

function parsed(rows: StatementTxn[], over: Partial<ParsedStatement> = {}): ParsedStatement {
  const days = rows.map((r) => r.datetime.slice(0, 10)).sort();
  return {
    source: 'acquirer',
    format: 'acquirer-csv',
    encoding: 'utf-8',
    language: 'zh',
    merchant_id: '102345678901234',
    date_from: days[0]!,
    date_to: days[days.length - 1]!,
    content_sha256: `${'0'.repeat(63)}${rows.length % 10}`,
    rows,
    ...over,
  };
}

const file = (p: ParsedStatement, over: Partial<NewStatementImport> = {}): NewStatementImport => ({
  parsed: p,
  store: null,
  name: 'pos-20261120.csv',
  importedAt: NOW,
  importedBy: 'finance',
  ...over,
});

const receipt = (id: string, capturedAt?: string): IncomingReceipt =>
  fixtureReceipt(id, { merchant_id: '102345678901234', terminal_id: '10086001', amount_minor: 1001 }, capturedAt);

const withReceipts = (s: Storage, ids: string[], store = 'S01'): Promise<void> => ingestReceipts(s, store, ids.map((id) => receipt(id)));

function match(rowId: string, receiptIds: string[], date = '2026-11-20'): MatchRecord {
  return {
    statementRowId: rowId,
    date,
    group: receiptIds[0]!,
    receiptIds,
    tier: 'rrn',
    confidence: 0.99,
    typeDiffers: false,
    deltaMs: 5000,
    store: 'S01',
    terminal: '10086001',
    operator: '01',
    transType: 'sale',
    amountMinor: 1001,
    currency: 'CNY',
    matchedAt: NOW,
  };
}

function discrepancy(key: string, date = '2026-11-20', seq = 0): NewDiscrepancy {
  return {
    key,
    date,
    seq,
    kind: 'missing_receipt',
    cause: 'not_captured',
    language: 'zh',
    explanation: '终端 10086001：对账单有此交易，但未采集到小票。',
    explanationZh: '终端 10086001：对账单有此交易，但未采集到小票。',
    explanationEn: 'Terminal 10086001: on the statement, no receipt captured.',
    statementIds: ['x:2'],
    receiptIds: [],
    diff: [{ field: 'amount_minor', statement: 1001, receipt: 2001, receipt_ids: ['r1'] }],
    store: 'S01',
    merchantId: '102345678901234',
    terminal: '10086001',
    operator: null,
    at: '2026-11-20T10:02:00',
    transType: 'sale',
    amountMinor: 1001,
    currency: 'CNY',
    tier: null,
    health: { store: 'S01', printer: 'front', condition: 'paper_out', start: '2026-11-20T10:00:00+08:00', end: null },
    clock: null,
    foundAt: NOW,
  };
}

const window = (day = '2026-11-20') => ({
  day,
  from: '2026-11-19',
  to: '2026-11-21',
  fromMs: Date.parse('2026-11-19T00:00:00+08:00'),
  toMs: Date.parse('2026-11-22T00:00:00+08:00'),
});

describeBackends('statement and reconciliation storage', (backend) => {
  const open = async (): Promise<Storage> => openDb(await backend.fresh());

  it('a file is stored whole: a row the database refuses part way leaves no file and no row', async () => {
    const s = await open();
    const rows = [txn(2), txn(3), txn(4), txn(3)];
    await expect(s.statements.import(file(parsed(rows)))).rejects.toThrow();
    expect(await s.statements.files({ includeSuperseded: true })).toEqual([]);
    expect(await tableRows(s, 'statement_rows')).toEqual([]);
    expect(await s.statements.dates()).toEqual([]);
  });

  it('a bad line N is refused with its line and column, and nothing is stored', async () => {
    const s = await open();
    const g = acquirerStatement(11, { language: 'en', encoding: 'utf-8', rows: 20, override: { row: 12, column: 'Amount', value: '12.3.4' } });
    const err = await importStatement(s, { format: 'acquirer-csv', bytes: g.bytes }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StatementError);
    expect(err).toMatchObject({ code: 'STATEMENT_BAD_AMOUNT', line: g.expected[12]!.line, column: 'Amount' });
    expect(await tableRows(s, 'statement_files')).toEqual([]);
    expect(await tableRows(s, 'statement_rows')).toEqual([]);
  });

  it('the same file twice is recognised: already imported, no second copy of its rows', async () => {
    const s = await open();
    const g = acquirerStatement(12, { language: 'zh', rows: 15 });
    const first = await importStatement(s, { format: 'acquirer-csv', bytes: g.bytes, name: 'a.csv', by: 'finance' });
    expect(first).toMatchObject({ kind: 'imported', supersedes: null, file: { version: 1, rowCount: 15, importedBy: 'finance', language: 'zh' } });
    const second = await importStatement(s, { format: 'acquirer-csv', bytes: g.bytes, name: 'copy of a.csv' });
    expect(second).toEqual({ kind: 'already-imported', file: first.file });
    expect(await tableRows(s, 'statement_rows')).toHaveLength(15);
    const rows = await s.statements.rows(first.file.id);
    expect(rows.map((r) => r.id)).toEqual(g.expected.map((e) => `${first.file.id}:${e.line}`));
    // What comes back is what the importer read, raw row included.
    const back = parseStatement('acquirer-csv', g.bytes).rows;
    expect(rows.map((r) => r.txn)).toEqual(back);
  });

  it('a corrected file is the next version: it replaces the old rows for matching, and the old rows lose their matches', async () => {
    const s = await open();
    await withReceipts(s, ['r1']);
    const v1 = await s.statements.import(file(parsed([txn(2), txn(3)], { content_sha256: '1'.repeat(64) })));
    if (v1.kind !== 'imported') throw new Error('v1');
    await s.reconciliation.save({ day: '2026-11-20', matches: [match(`${v1.file.id}:2`, ['r1'])], discrepancies: [] });
    expect(await s.reconciliation.matches()).toHaveLength(1);

    const v2 = await s.statements.import(file(parsed([txn(2), txn(3, { amount_minor: 999 }), txn(4)], { content_sha256: '2'.repeat(64) })));
    expect(v2).toMatchObject({ kind: 'imported', file: { version: 2, supersededBy: null }, supersedes: { id: v1.file.id, version: 1, supersededBy: v2.file.id } });
    expect(await s.reconciliation.matches()).toEqual([]);
    expect(await tableRows(s, 'match_receipts')).toEqual([]);
    const input = await s.reconciliation.input(window());
    expect(input.rows.map((r) => r.id).sort()).toEqual([2, 3, 4].map((l) => `${v2.file.id}:${l}`));
    expect(input.rows.find((r) => r.line === 3)!.txn.amount_minor).toBe(999);
    expect(input.receipts.map((r) => r.id)).toEqual(['r1']);
    expect((await s.statements.files()).map((f) => f.id)).toEqual([v2.file.id]);
    expect((await s.statements.files({ includeSuperseded: true })).map((f) => f.version).sort()).toEqual([1, 2]);

    // The old bytes again: held (and superseded), not a third version.
    const back = await s.statements.import(file(parsed([txn(2), txn(3)], { content_sha256: '1'.repeat(64) })));
    expect(back).toMatchObject({ kind: 'already-imported', file: { id: v1.file.id, supersededBy: v2.file.id } });
    // Another merchant's file of the same day is another file, not a version.
    const other = await s.statements.import(file(parsed([txn(2, { merchant_id: '999' })], { merchant_id: '999', content_sha256: '3'.repeat(64) })));
    expect(other).toMatchObject({ kind: 'imported', file: { version: 1 }, supersedes: null });
    expect(await s.statements.dates()).toEqual(['2026-11-20']);
  });

  it('the database refuses a statement row or a receipt matched twice, also across days; a refused run writes nothing', async () => {
    const s = await open();
    await withReceipts(s, ['r1', 'r2', 'r3']);
    const f = await s.statements.import(file(parsed([txn(2), txn(3), txn(4, { datetime: '2026-11-21T00:01:00' })])));
    const row = (n: number): string => `${f.file.id}:${n}`;
    await s.reconciliation.save({ day: '2026-11-20', matches: [match(row(2), ['r1', 'r2'])], discrepancies: [discrepancy('missing:a')] });

    // One receipt in two matches of one run.
    await expect(
      s.reconciliation.save({ day: '2026-11-20', matches: [match(row(2), ['r1']), match(row(3), ['r1'])], discrepancies: [] }),
    ).rejects.toThrow();
    // One row twice.
    await expect(
      s.reconciliation.save({ day: '2026-11-20', matches: [match(row(2), ['r1']), match(row(2), ['r3'])], discrepancies: [] }),
    ).rejects.toThrow();
    // Another day's run taking a receipt this day holds.
    await expect(s.reconciliation.save({ day: '2026-11-21', matches: [match(row(4), ['r2'], '2026-11-21')], discrepancies: [] })).rejects.toThrow();
    // Below the interface too.
    await expect(rawInsert(s, "INSERT INTO match_receipts (receipt_id, statement_row_id) VALUES ('r1', '" + row(2) + "')")).rejects.toThrow();

    // Each refusal left the first run as it was.
    const held = await s.reconciliation.matches();
    expect(held.map((m) => [m.statementRowId, m.receiptIds])).toEqual([[row(2), ['r1', 'r2']]]);
    expect((await s.reconciliation.discrepancies()).map((d) => d.key)).toEqual(['missing:a']);

    // Another day's matches are settled: its rows and receipts are not offered to this day's run.
    await s.reconciliation.save({ day: '2026-11-21', matches: [match(row(4), ['r3'], '2026-11-21')], discrepancies: [] });
    const input = await s.reconciliation.input(window('2026-11-20'));
    expect(input.rows.map((r) => r.id).sort()).toEqual([row(2), row(3)]);
    expect(input.receipts.map((r) => r.id).sort()).toEqual(['r1', 'r2']);
  });

  it('a re-run replaces the day\'s findings; decisions stay by key; reopening records who and why', async () => {
    const s = await open();
    await s.reconciliation.save({ day: '2026-11-20', matches: [], discrepancies: [discrepancy('missing:a', '2026-11-20', 0), discrepancy('missing:b', '2026-11-20', 1)] });
    await s.reconciliation.save({ day: '2026-11-21', matches: [], discrepancies: [discrepancy('missing:c', '2026-11-21')] });
    expect(await s.reconciliation.decide({ key: 'missing:zzz', status: 'resolved', by: 'x', at: NOW, reason: 'y' })).toBeNull();
    const d = await s.reconciliation.decide({ key: 'missing:b', status: 'resolved', by: 'finance', at: NOW, reason: 'paid in cash' });
    expect(d).toMatchObject({ key: 'missing:b', status: 'resolved', decision: { by: 'finance', reason: 'paid in cash', at: NOW } });
    const got = await s.reconciliation.discrepancy('missing:b');
    expect(got).toEqual(d);
    expect(got!.diff).toEqual(discrepancy('x').diff);
    expect(got!.health).toEqual(discrepancy('x').health);

    // The re-run finds b again and no longer a: a's row is gone, b keeps its decision.
    await s.reconciliation.save({ day: '2026-11-20', matches: [], discrepancies: [discrepancy('missing:b', '2026-11-20', 0)] });
    expect((await s.reconciliation.discrepancies({ date: '2026-11-20' })).map((x) => [x.key, x.status])).toEqual([['missing:b', 'resolved']]);
    expect((await s.reconciliation.discrepancies()).map((x) => x.key)).toEqual(['missing:b', 'missing:c']);
    expect((await s.reconciliation.input(window())).decisions).toEqual([{ key: 'missing:b', status: 'resolved', by: 'finance', at: NOW, reason: 'paid in cash' }]);

    await s.reconciliation.decide({ key: 'missing:b', status: 'open', by: 'auditor', at: NOW, reason: 'no cash in the till' });
    expect(await s.reconciliation.discrepancy('missing:b')).toMatchObject({ status: 'open', decision: { status: 'open', by: 'auditor' } });
    expect((await s.reconciliation.discrepancies({ status: 'open' })).map((x) => x.key)).toEqual(['missing:b', 'missing:c']);
    expect(await s.reconciliation.discrepancies({ status: 'resolved' })).toEqual([]);
    expect((await s.reconciliation.discrepancies({ store: 'S01', kind: 'missing_receipt', limit: 1, offset: 1 })).map((x) => x.key)).toEqual(['missing:c']);
  });

  it('health for a day: the events of the window and each condition\'s last event before it', async () => {
    const s = await open();
    const t = makeToken('device');
    await s.tokens.create({ id: t.id, hash: t.hash, role: 'device', store: 'S01', createdAt: NOW });
    const ev = (id: string, at: string, kind: string, state: string): IncomingHealthEvent => ({
      id, seq: Number(id.slice(1)), printer: 'front', at, atMs: Date.parse(at), kind, state, previous: null, durationMs: null, detail: null,
    });
    await s.health.ingest(
      deviceContext(),
      [
        ev('e1', '2026-11-10T09:00:00+08:00', 'paper', 'ok'),
        ev('e2', '2026-11-17T22:00:00+08:00', 'paper', 'out'),
        ev('e3', '2026-11-18T09:00:00+08:00', 'cover', 'open'),
        ev('e4', '2026-11-18T09:05:00+08:00', 'cover', 'closed'),
        ev('e5', '2026-11-20T11:00:00+08:00', 'paper', 'ok'),
        ev('e6', '2026-11-23T11:00:00+08:00', 'paper', 'out'),
      ],
      () => ({ status: 200, body: '{}' }),
    );
    const input = await s.reconciliation.input(window());
    expect(input.health.map((e) => e.id)).toEqual(['e2', 'e4', 'e5']);
  });
});

async function rawInsert(s: Storage, sql: string): Promise<void> {
  if (s.kind === 'sqlite') {
    (s as unknown as { db: { prepare(q: string): { run(): unknown } } }).db.prepare(sql).run();
    return;
  }
  await (s as unknown as { pool: { query(q: string): Promise<unknown> } }).pool.query(sql);
}

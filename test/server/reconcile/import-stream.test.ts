/**
 * importStatement stores a file a slice of rows at a time inside one transaction, on SQLite and
 * PostgreSQL: the rows stored are exactly those of the file read whole, a bad row found slices
 * after the first leaves nothing stored, the same bytes are recognised (from disk or memory,
 * whatever the chunk and slice sizes), a corrected file is the next version.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { acquirerStatement, wechatBill } from '../../../scripts/gen/statements.js';
import { parseStatement, StatementError } from '../../../src/server/importers/index.js';
import { importStatement } from '../../../src/server/reconcile/import.js';
import type { Storage } from '../../../src/server/storage/types.js';
import { describeBackends, tableRows } from '../backends.js';
import { openDb } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tilltap-import-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeBackends('statement import a slice at a time', (backend) => {
  const open = async (): Promise<Storage> => openDb(await backend.fresh());

  it('stores exactly the rows of the file read whole, with odd chunk and slice sizes', async () => {
    const s = await open();
    const g = wechatBill(21, { rows: 47, bom: true, crlf: true });
    const r = await importStatement(s, { format: 'wechat', bytes: g.bytes, chunkBytes: 37, rowsPerSlice: 4 });
    expect(r.kind).toBe('imported');
    const whole = parseStatement('wechat', g.bytes);
    expect(r.file).toMatchObject({
      rowCount: whole.rows.length,
      encoding: 'utf-8-bom',
      contentSha256: createHash('sha256').update(g.bytes).digest('hex'),
      dateFrom: whole.date_from,
      dateTo: whole.date_to,
      summary: whole.summary,
      version: 1,
    });
    const rows = await s.statements.rows(r.file.id);
    expect(rows.map((x) => x.txn)).toEqual(whole.rows);
    expect(rows.map((x) => x.id)).toEqual(whole.rows.map((t) => `${r.file.id}:${t.line}`));
  });

  it('a bad row found slices after the first leaves no file and no row', async () => {
    const s = await open();
    const g = acquirerStatement(31, { language: 'zh', encoding: 'gbk', rows: 40, override: { row: 33, column: '交易金额', value: 'abc' } });
    const err = await importStatement(s, { format: 'acquirer-csv', bytes: g.bytes, chunkBytes: 50, rowsPerSlice: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StatementError);
    expect(err).toMatchObject({ code: 'STATEMENT_BAD_AMOUNT', line: g.expected[33]!.line, column: '交易金额' });
    expect(await tableRows(s, 'statement_files')).toEqual([]);
    expect(await tableRows(s, 'statement_rows')).toEqual([]);
    // A WeChat bill whose summary (after every row) disagrees: nothing either.
    const w = wechatBill(32, { rows: 25, tamper: 'amount' });
    await expect(importStatement(s, { format: 'wechat', bytes: w.bytes, rowsPerSlice: 2 })).rejects.toMatchObject({ code: 'STATEMENT_SUMMARY_MISMATCH' });
    expect(await tableRows(s, 'statement_files')).toEqual([]);
    expect(await tableRows(s, 'statement_rows')).toEqual([]);
  });

  it('the same bytes are the same file, from disk or memory, in any chunk and slice size; other bytes are the next version', async () => {
    const s = await open();
    const g = acquirerStatement(41, { language: 'en', encoding: 'utf-8', rows: 30 });
    const path = join(dir, `${backend.name}-${g.name}`);
    writeFileSync(path, g.bytes);
    const first = await importStatement(s, { format: 'acquirer-csv', path, rowsPerSlice: 7 });
    expect(first.kind).toBe('imported');
    const again = await importStatement(s, { format: 'acquirer-csv', bytes: g.bytes, chunkBytes: 11, rowsPerSlice: 1000 });
    expect(again).toEqual({ kind: 'already-imported', file: first.file });
    expect(await tableRows(s, 'statement_rows')).toHaveLength(30);
    // The same bytes parsed whole and stored (the storage interface of a parsed file) are recognised too.
    const parsed = parseStatement('acquirer-csv', g.bytes);
    const viaParsed = await s.statements.import({ parsed, store: null, name: null, importedAt: first.file.importedAt, importedBy: null });
    expect(viaParsed).toEqual({ kind: 'already-imported', file: first.file });

    const corrected = acquirerStatement(41, { language: 'en', encoding: 'utf-8', rows: 30, override: { row: 4, column: 'Amount', value: '1.23' } });
    const v2 = await importStatement(s, { format: 'acquirer-csv', bytes: corrected.bytes, rowsPerSlice: 4 });
    expect(v2).toMatchObject({ kind: 'imported', file: { version: 2 }, supersedes: { id: first.file.id, version: 1 } });
    expect((await s.statements.files()).map((f) => f.id)).toEqual([v2.file.id]);
    expect((await s.statements.rows(v2.file.id)).find((r) => r.line === corrected.expected[4]!.line)?.txn.amount_minor).toBe(123);
  });

  it('month-first dates read as the whole column says, the file read again when the order is needed', async () => {
    const s = await open();
    const g = acquirerStatement(51, { language: 'en', encoding: 'utf-8', usDates: true, rows: 25 });
    const r = await importStatement(s, { format: 'acquirer-csv', bytes: g.bytes, rowsPerSlice: 4 });
    const rows = await s.statements.rows(r.file.id);
    expect(rows.map((x) => x.txn.datetime)).toEqual(g.expected.map((e) => e.datetime));
  });
});

/** `tilltap import-statement` and `tilltap reconcile` as a user runs them (the built CLI). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { acquirerStatement } from '../../../scripts/gen/statements.js';
import { describeBackends, tableRows } from '../backends.js';
import { openDb, tempDir } from '../helpers.js';
import { freshDb, tilltap } from './helpers.js';

function statementFile(name: string, bytes: Buffer): string {
  const path = join(tempDir(), name);
  writeFileSync(path, bytes);
  return path;
}

describeBackends('tilltap import-statement and reconcile', (backend) => {
  it('imports whole or not at all; recognises the same file; a corrected file is the next version', async () => {
    const db = await freshDb(backend);
    const g = acquirerStatement(21, { language: 'en', encoding: 'utf-8', rows: 15 });

    const bad = acquirerStatement(21, { language: 'en', encoding: 'utf-8', rows: 15, override: { row: 9, column: 'Amount', value: '12.3.4' } });
    const badPath = statementFile('bad.csv', bad.bytes);
    const refused = tilltap(['import-statement', '--format', 'acquirer-csv', badPath, '--db', db]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n')).toEqual([
      `tilltap: ${badPath}: line ${bad.expected[9]!.line}, column Amount: not an amount: "12.3.4" [STATEMENT_BAD_AMOUNT]`,
    ]);

    const path = statementFile('pos.csv', g.bytes);
    const first = tilltap(['import-statement', '--format', 'acquirer-csv', path, '--db', db]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^imported 15 rows: acquirer-csv statement for merchant ${g.merchant_id}, ${g.date_from}, version 1 \\(file st[0-9a-f]+\\)$`, 'm'));
    const again = tilltap(['import-statement', '--format', 'acquirer-csv', path, '--db', db]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^already imported: .*, 15 rows, version 1 .*nothing changed$/m);

    const fixed = acquirerStatement(21, { language: 'en', encoding: 'utf-8', rows: 15, override: { row: 3, column: 'Auth Code', value: '9999ZZ' } });
    const second = tilltap(['import-statement', '--format', 'acquirer-csv', statementFile('pos-fixed.csv', fixed.bytes), '--db', db, '--json']);
    expect(second.code, second.stderr).toBe(0);
    const doc = JSON.parse(second.stdout) as { status: string; file: { version: number; id: string }; supersedes: { version: number; superseded_by: string } };
    expect(doc).toMatchObject({ status: 'imported', file: { version: 2 }, supersedes: { version: 1, superseded_by: doc.file.id } });

    const s = await openDb(db);
    expect(await tableRows(s, 'statement_rows')).toHaveLength(30);
    expect((await s.statements.files()).map((f) => f.version)).toEqual([2]);
    await s.close();

    // Nothing captured: every row is a missing receipt once its grace period is over.
    const run = tilltap(['reconcile', '--db', db, '--now', `${g.date_to}T23:59:59+08:00`, '--grace-hours', '1']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${g.date_from}: 15 statement rows, 0 receipts; 0 matched, \\d+ pending; \\d+ discrepancies`));
    const found = lines.filter((l) => /^missing_receipt\s+open\s+Terminal \d+, \d\d:\d\d, /.test(l));
    expect(found.length).toBeGreaterThan(0);
    expect(run.stdout).toContain('By terminal');
    const key = /\[(missing:[0-9a-f]+)\]$/.exec(found[0]!)![1]!;

    expect(tilltap(['reconcile', 'resolve', key, '--by', 'finance', '--db', db]).code).toBe(2);
    expect(tilltap(['reconcile', 'resolve', 'missing:nope', '--by', 'finance', '--reason', 'x', '--db', db]).code).toBe(2);
    const ok = tilltap(['reconcile', 'resolve', key, '--by', 'finance', '--reason', 'terminal was in training mode', '--db', db, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ key, status: 'resolved', resolved_by: 'finance', resolved_reason: 'terminal was in training mode' });

    const csv = tilltap(['reconcile', 'list', '--db', db, '--csv', '--status', 'resolved']);
    expect(csv.code).toBe(0);
    expect(csv.stdout.startsWith('\ufeffkey,')).toBe(true);
    expect(csv.stdout.trimEnd().split('\r\n')).toHaveLength(2);
    expect(csv.stdout).toContain('terminal was in training mode');
    const reopened = tilltap(['reconcile', 'reopen', key, '--by', 'auditor', '--reason', 'no training mode that day', '--db', db]);
    expect(reopened.stdout).toMatch(/^reopened missing:/);
    expect(JSON.parse(tilltap(['reconcile', 'list', '--db', db, '--json', '--status', 'resolved']).stdout).discrepancies).toEqual([]);
  });
});

it('bad usage is exit 2 with one line', () => {
  const db = join(tempDir(), 'x.db');
  const file = statementFile('a.csv', acquirerStatement(3, { rows: 3 }).bytes);
  for (const args of [
    ['import-statement', '--format', 'paypal', file, '--db', db],
    ['import-statement', file, '--db', db],
    ['import-statement', '--format', 'generic', file, '--db', db],
    ['import-statement', '--format', 'acquirer-csv', '/nonexistent/file.csv', '--db', db],
    ['import-statement', '--format', 'acquirer-csv', file, '--encoding', 'latin9', '--db', db],
    ['import-statement', '--format', 'acquirer-csv', file, '--db', 'mysql://x/y'],
    ['reconcile', '--date', '20261120', '--db', db],
    ['reconcile', '--now', 'yesterday', '--db', db],
    ['reconcile', '--json', '--csv', '--db', db],
    ['reconcile', 'list', '--kind', 'weird', '--db', db],
  ]) {
    const r = tilltap(args);
    expect(r.code, args.join(' ')).toBe(2);
    expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
  }
  const empty = tilltap(['reconcile', '--db', db]);
  expect(empty.code).toBe(0);
  expect(empty.stdout).toMatch(/no statements imported yet/);
});

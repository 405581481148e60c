import { describe, expect, it } from 'vitest';
import { salesLog, type SalesLogShape } from '../../../scripts/gen/statements.js';
import { expectRoundTrip, expectStatementError, importFile, importGenerated, utf8, withoutRaw } from './helpers.js';

describe('sales-log: the POS system\'s own record of sales', () => {
  it.each(['csv', 'json', 'json-wrapped', 'jsonl'] as SalesLogShape[])('round-trips %s', (shape) => {
    for (const seed of [1, 2]) expectRoundTrip(salesLog(seed * 23, shape, { rows: 30, crlf: seed === 2 }));
  });

  it('reads JSON numbers as amounts without float drift, and gives the same rows as text amounts', () => {
    const asText = importGenerated(salesLog(3, 'json', { rows: 40 }));
    const asNumbers = importGenerated(salesLog(3, 'json', { rows: 40, numbers: true }));
    expect(salesLog(3, 'json', { rows: 40, numbers: true }).bytes.toString('utf8')).toMatch(/"amount": \d+\.\d[,\n]/);
    expect(withoutRaw(asNumbers.rows)).toEqual(withoutRaw(asText.rows));
  });

  it('reads a negative amount without a type as a refund, and keeps quoted commas in CSV', () => {
    const p = importGenerated(salesLog(4, 'csv', { rows: 60 }));
    const bySign = p.rows.filter((r) => r.raw['type'] === '');
    expect(bySign.length).toBeGreaterThan(0);
    for (const r of bySign) expect([r.trans_type, r.raw['amount']!.startsWith('-')]).toEqual(['refund', true]);
    expect(p.rows.some((r) => r.raw['note'] === 'table 4, window')).toBe(true);
    expect(p.rows.some((r) => r.raw['note'] === 'member "gold"')).toBe(true);
  });

  it('normalises payment methods to the receipt fields\' words', () => {
    const p = importGenerated(salesLog(5, 'csv', { rows: 60 }));
    expect(new Set(p.rows.map((r) => r.payment_method))).toEqual(new Set(['card', 'cash', 'wechat', 'alipay']));
  });

  it('names the line of a pretty-printed JSON object with a bad amount, and its key', () => {
    const g = salesLog(6, 'json-wrapped', { rows: 5, override: { row: 3, column: 'amount', value: '12,34.00' } });
    expectStatementError(() => importGenerated(g), { code: 'STATEMENT_BAD_AMOUNT', line: g.expected[3]!.line, column: 'amount' });
    const l = salesLog(6, 'jsonl', { rows: 5, override: { row: 2, column: 'amount', value: 'free' } });
    expectStatementError(() => importGenerated(l), { code: 'STATEMENT_BAD_AMOUNT', line: 3, column: 'amount' });
  });

  it('refuses a type it does not know, a missing receipt number, and broken JSON with its line', () => {
    const t = salesLog(7, 'csv', { rows: 5, override: { row: 1, column: 'type', value: 'gift' } });
    expectStatementError(() => importGenerated(t), { code: 'STATEMENT_BAD_TYPE', line: 3, column: 'type' });
    const r = salesLog(7, 'csv', { rows: 5, override: { row: 4, column: 'receipt_no', value: '' } });
    expectStatementError(() => importGenerated(r), { code: 'STATEMENT_MISSING_VALUE', line: 6, column: 'receipt_no' });
    expectStatementError(() => importFile('sales-log', 'broken.json', utf8('[\n  {"receipt_no": "1",\n  "amount": }\n]\n')), {
      code: 'STATEMENT_JSON_SYNTAX',
      line: 3,
    });
    expectStatementError(() => importFile('sales-log', 'nested.json', utf8('[{"receipt_no": "1", "datetime": "2026-11-20T09:10:00", "amount": {"v": 1}}]')), {
      code: 'STATEMENT_JSON_SYNTAX',
      column: 'amount',
    });
  });

  it('names a required column the log lacks', () => {
    expectStatementError(() => importFile('sales-log', 'noamount.csv', utf8('receipt_no,datetime,terminal\nR1,2026-11-20 09:10:00,POS-1\n')), {
      code: 'STATEMENT_MISSING_COLUMN',
      line: 1,
      column: 'amount',
    });
    expectStatementError(() => importFile('sales-log', 'empty.json', utf8('[]')), { code: 'STATEMENT_NO_ROWS' });
    expectStatementError(() => importFile('sales-log', 'blank.json', utf8('  \n')), { code: 'STATEMENT_EMPTY_FILE' });
  });
});

describe('jsonErrorOffset: where JSON goes wrong', () => {
  it('agrees with JSON.parse on valid and broken documents', async () => {
    const { jsonErrorOffset } = await import('../../../src/server/importers/json-position.js');
    const { prng, int } = await import('../../../scripts/lib/prng.js');
    const rnd = prng(3);
    const base = salesLog(9, 'json-wrapped', { rows: 4 }).bytes.toString('utf8');
    expect(jsonErrorOffset(base)).toBe(-1);
    for (let k = 0; k < 500; k++) {
      // Cut, duplicate or replace one character somewhere.
      const at = int(rnd, base.length);
      const mutated = [base.slice(0, at) + base.slice(at + 1), base.slice(0, at) + base[at] + base.slice(at), base.slice(0, at) + '}' + base.slice(at + 1)][int(rnd, 3)]!;
      let valid = true;
      try {
        JSON.parse(mutated);
      } catch {
        valid = false;
      }
      const offset = jsonErrorOffset(mutated);
      expect(offset === -1, JSON.stringify(mutated.slice(Math.max(0, at - 10), at + 10))).toBe(valid);
      if (!valid) expect(offset).toBeLessThanOrEqual(mutated.length);
    }
  });
});

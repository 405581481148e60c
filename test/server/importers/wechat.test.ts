import { describe, expect, it } from 'vitest';
import { wechatBill } from '../../../scripts/gen/statements.js';
import { expectRoundTrip, expectStatementError, importFile, importGenerated, utf8 } from './helpers.js';

describe('wechat: WeChat Pay 交易账单', () => {
  it.each([
    ['ALL', false, false],
    ['ALL', true, false],
    ['SUCCESS', false, true],
    ['REFUND', true, true],
  ] as const)('round-trips a %s bill (BOM %s, CRLF %s)', (billType, bom, crlf) => {
    for (const seed of [1, 2, 3]) expectRoundTrip(wechatBill(seed * 11, { billType, bom, crlf, rows: 25 }));
  });

  it('reads refunds and revoked payments as money going back, with their numbers', () => {
    const g = wechatBill(5, { billType: 'ALL', rows: 60 });
    const p = expectRoundTrip(g);
    const types = new Set(p.rows.map((r) => r.trans_type));
    expect(types).toEqual(new Set(['sale', 'refund', 'void']));
    for (const r of p.rows) {
      expect(r.amount_minor).toBeGreaterThan(0);
      if (r.trans_type === 'refund') {
        expect(r.settle_minor).toBe(-r.amount_minor);
        expect(r.refund_no).toMatch(/^50\d{27}$/);
        expect(r.original_transaction_id).toBe(r.transaction_id);
      } else expect(r.refund_no).toBeUndefined();
    }
  });

  it('strips the backticks from every value, in the fields and in raw; keeps the summary', () => {
    const g = wechatBill(8, { rows: 5 });
    expect(g.bytes.toString('utf8')).toContain('`');
    const p = importGenerated(g);
    for (const r of p.rows) {
      for (const v of Object.values(r.raw)) expect(v.startsWith('`')).toBe(false);
      expect(r.raw['交易时间']).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    }
    expect(p.summary?.['总交易单数']).toBe('5');
    expect(p.language).toBe('zh');
  });

  it('refuses a summary whose count disagrees with the rows, naming the summary line and column', () => {
    const g = wechatBill(9, { rows: 7, tamper: 'count' });
    expectStatementError(() => importGenerated(g), { code: 'STATEMENT_SUMMARY_MISMATCH', line: 7 + 3, column: '总交易单数', message: /8.*7/ });
  });

  it('refuses a summary whose amount total disagrees with the rows', () => {
    const g = wechatBill(10, { rows: 7, tamper: 'amount' });
    expectStatementError(() => importGenerated(g), { code: 'STATEMENT_SUMMARY_MISMATCH', line: 10, column: '应结订单总金额' });
  });

  it('refuses a bill cut short (no summary lines)', () => {
    const g = wechatBill(11, { rows: 4 });
    const text = g.bytes.toString('utf8').split('\n').slice(0, 5).join('\n') + '\n';
    expectStatementError(() => importFile('wechat', 'cut.csv', utf8(text)), { code: 'STATEMENT_BAD_SUMMARY', line: 5 });
  });

  it('names the line and the column of a malformed amount', () => {
    for (const row of [0, 3, 6]) {
      const g = wechatBill(12, { rows: 7, override: { row, column: '订单金额', value: '12.3.4' } });
      expectStatementError(() => importGenerated(g), { code: 'STATEMENT_BAD_AMOUNT', line: row + 2, column: '订单金额', message: /12\.3\.4/ });
    }
  });

  it('names the column a header lacks', () => {
    const g = wechatBill(13, { rows: 3 });
    const text = g.bytes.toString('utf8').replace('交易状态', '状态说明');
    expectStatementError(() => importFile('wechat', 'nostatus.csv', utf8(text)), { code: 'STATEMENT_MISSING_COLUMN', line: 1, column: '交易状态' });
  });

  it('refuses an empty file and a file of blank lines', () => {
    expectStatementError(() => importFile('wechat', 'empty.csv', Buffer.alloc(0)), { code: 'STATEMENT_EMPTY_FILE' });
    expectStatementError(() => importFile('wechat', 'blank.csv', utf8('\r\n\r\n')), { code: 'STATEMENT_EMPTY_FILE' });
  });

  it('refuses a bad date with its line', () => {
    const g = wechatBill(14, { rows: 3, override: { row: 1, column: '交易时间', value: '2026-02-30 10:00:00' } });
    expectStatementError(() => importGenerated(g), { code: 'STATEMENT_BAD_DATE', line: 3, column: '交易时间' });
  });
});

import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { alipayDetail } from '../../../scripts/gen/statements.js';
import { expectRoundTrip, expectStatementError, importFile, importGenerated } from './helpers.js';

describe('alipay: Alipay 业务明细', () => {
  it('round-trips GBK files with # lines around the header on line 5', () => {
    for (const seed of [1, 2, 3, 4]) {
      const g = alipayDetail(seed * 13, { rows: 30 });
      const p = expectRoundTrip(g);
      expect(iconv.decode(g.bytes, 'gbk').split('\n')[4]).toMatch(/^支付宝交易号,/);
      expect(p.summary?.['账号']).toBe(g.merchant_id);
      expect(p.summary?.['交易合计']).toMatch(/笔/);
    }
  });

  it('round-trips UTF-8 and CRLF variants', () => {
    expectRoundTrip(alipayDetail(21, { encoding: 'utf-8', crlf: true }));
    expectRoundTrip(alipayDetail(22, { encoding: 'utf-8-bom' }));
  });

  it('reads negative refund rows as refunds of a magnitude, and trims the tabs after ids', () => {
    const g = alipayDetail(5, { rows: 60 });
    expect(iconv.decode(g.bytes, 'gbk')).toMatch(/\d{28}\t,/);
    const p = importGenerated(g);
    const refunds = p.rows.filter((r) => r.trans_type === 'refund');
    expect(refunds.length).toBeGreaterThan(3);
    for (const r of refunds) {
      expect(r.raw['订单金额（元）']).toMatch(/^-/);
      expect(r.amount_minor).toBeGreaterThan(0);
      expect(r.settle_minor).toBe(-r.amount_minor);
      expect(r.original_transaction_id).toBe(r.transaction_id);
    }
    for (const r of p.rows) {
      expect(r.transaction_id).toMatch(/^\d{28}$/);
      expect(r.raw['支付宝交易号']).toBe(r.transaction_id);
    }
  });

  it('checks the 交易合计 / 退款合计 footers against the rows', () => {
    expectStatementError(() => importGenerated(alipayDetail(6, { rows: 10, tamper: 'count' })), {
      code: 'STATEMENT_SUMMARY_MISMATCH',
      column: '交易合计',
    });
    const e = expectStatementError(() => importGenerated(alipayDetail(6, { rows: 10, tamper: 'amount' })), {
      code: 'STATEMENT_SUMMARY_MISMATCH',
      column: '商家实收共计',
    });
    expect(e.line).toBe(5 + 10 + 2);
  });

  it('names the line and column of a malformed amount', () => {
    const g = alipayDetail(7, { rows: 9, override: { row: 4, column: '订单金额（元）', value: '1O0.00' } });
    expectStatementError(() => importGenerated(g), { code: 'STATEMENT_BAD_AMOUNT', line: 5 + 5, column: '订单金额（元）' });
  });

  it('names a missing column, and says when no header is there at all', () => {
    const text = iconv.decode(alipayDetail(8, { rows: 3 }).bytes, 'gbk').replace('支付宝交易号', '交易号');
    expectStatementError(() => importFile('alipay', 'noid.csv', iconv.encode(text, 'gbk')), { code: 'STATEMENT_MISSING_COLUMN', line: 5, column: '支付宝交易号' });
    expectStatementError(() => importFile('alipay', 'notes.csv', iconv.encode('#只有注释\n随便写点什么\n', 'gbk')), { code: 'STATEMENT_HEADER_NOT_FOUND' });
  });
});

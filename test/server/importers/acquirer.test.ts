import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { acquirerStatement, type AcquirerVariant } from '../../../scripts/gen/statements.js';
import { expectRoundTrip, expectStatementError, importFile, importGenerated, utf8, withoutRaw } from './helpers.js';

const VARIANTS: readonly AcquirerVariant[] = [
  { language: 'zh', encoding: 'gbk' },
  { language: 'zh', encoding: 'gbk', split: true, preamble: true, totals: true },
  { language: 'zh', encoding: 'utf-8-bom', negatives: true, crlf: true },
  { language: 'zh', encoding: 'utf-8', noType: true, days: 3 },
  { language: 'en', encoding: 'utf-8' },
  { language: 'en', encoding: 'utf-8-bom', split: true, grouped: true, totals: true },
  { language: 'en', encoding: 'utf-8', usDates: true, negatives: true, preamble: true },
  { language: 'en', encoding: 'utf-8', noType: true, crlf: true, grouped: true },
];

describe('acquirer-csv: bank / acquirer POS 对账单', () => {
  it.each(VARIANTS.map((v) => [JSON.stringify(v), v] as const))('round-trips %s', (_name, v) => {
    for (const seed of [1, 2]) expectRoundTrip(acquirerStatement(seed * 17, { ...v, rows: 40 }));
  });

  it('reads every type and links voids and refunds to their originals', () => {
    const p = expectRoundTrip(acquirerStatement(3, { rows: 120 }));
    const types = new Set(p.rows.map((r) => r.trans_type));
    expect(types).toEqual(new Set(['sale', 'void', 'refund', 'preauth', 'preauth_complete', 'preauth_void']));
    for (const r of p.rows.filter((x) => x.trans_type === 'void')) expect(r.original_trace_no).toMatch(/^\d{6}$/);
  });

  it('tells refunds by a negative amount when there is no type column', () => {
    const g = acquirerStatement(4, { rows: 40, noType: true });
    const p = importGenerated(g);
    const refunds = p.rows.filter((r) => r.trans_type === 'refund');
    expect(refunds.length).toBeGreaterThan(2);
    for (const r of refunds) {
      expect(r.settle_minor).toBeLessThan(0);
      expect(r.amount_minor).toBeGreaterThan(0);
    }
  });

  it('reads the same statement alike in GBK, UTF-8 and UTF-8 with a BOM (detected, not told)', () => {
    const parsed = (['gbk', 'utf-8', 'utf-8-bom'] as const).map((encoding) => {
      const g = acquirerStatement(5, { encoding, language: 'zh' });
      const p = importGenerated(g);
      expect(p.encoding).toBe(encoding);
      return withoutRaw(p.rows);
    });
    expect(parsed[1]).toEqual(parsed[0]);
    expect(parsed[2]).toEqual(parsed[0]);
  });

  it('keeps quoted fields with commas in one cell', () => {
    const g = acquirerStatement(6, { language: 'en', grouped: true, rows: 50 });
    expect(g.bytes.toString('utf8')).toMatch(/"[^"]*, [^"]*"/);
    const p = importGenerated(g);
    expect(p.rows.some((r) => r.amount_minor >= 100_000)).toBe(true);
    for (const r of p.rows) expect(r.raw['Merchant Name']).toMatch(/, Main St$/);
  });

  it('takes the merchant from the header block and keeps 合计 lines as the summary', () => {
    const g = acquirerStatement(7, { preamble: true, totals: true, split: true });
    const p = importGenerated(g);
    expect(p.merchant_id).toBe(g.merchant_id);
    expect(p.summary?.['商户编号']).toBe(g.merchant_id);
    expect(p.summary?.['合计']).toMatch(/^-?\d+\.\d\d$/);
  });

  it('masks a full card number a statement carries, in the field and in raw', () => {
    const text = '商户号,终端号,交易时间,交易类型,卡号,交易金额\n898310048990001,10086001,2026-11-20 09:10:00,消费,6225881234567890,128.10\n';
    const p = importFile('acquirer-csv', 'pan.csv', utf8(text));
    expect(p.rows[0]!.card_number).toBe('622588******7890');
    expect(p.rows[0]!.card_last4).toBe('7890');
    expect(JSON.stringify(p.rows[0]!.raw)).not.toContain('6225881234567890');
  });

  it('refuses a negative amount on a sale', () => {
    const text = 'MID,TID,Date,Time,Type,Amount\n1,2,2026-11-20,09:10:00,SALE,12.00\n1,2,2026-11-20,09:11:00,SALE,-12.00\n';
    expectStatementError(() => importFile('acquirer-csv', 'sign.csv', utf8(text)), { code: 'STATEMENT_SIGN_MISMATCH', line: 3, column: 'Amount' });
  });

  it('keeps a type it does not know as other, with the printed type in raw', () => {
    const text = 'MID,TID,Date,Time,Type,Amount\n1,2,2026-11-20,09:10:00,LOYALTY REDEEM,12.00\n';
    const r = importFile('acquirer-csv', 'other.csv', utf8(text)).rows[0]!;
    expect(r.trans_type).toBe('other');
    expect(r.raw['Type']).toBe('LOYALTY REDEEM');
  });

  it('names the line and column of a malformed amount, in GBK too', () => {
    const g = acquirerStatement(8, { rows: 12, preamble: true, override: { row: 6, column: '交易金额', value: '12,34' } });
    // Four header-block lines (one blank), the header, then rows.
    expectStatementError(() => importGenerated(g), { code: 'STATEMENT_BAD_AMOUNT', line: 4 + 1 + 7, column: '交易金额' });
  });

  it('names a required column the header lacks, and a date that cannot be read', () => {
    const g = acquirerStatement(9, { rows: 3 });
    const text = iconv.decode(g.bytes, 'gbk').replace('交易金额', '交易额度');
    expectStatementError(() => importFile('acquirer-csv', 'noamount.csv', iconv.encode(text, 'gbk')), {
      code: 'STATEMENT_MISSING_COLUMN',
      line: 1,
      column: '交易金额 / Amount',
    });
    const bad = acquirerStatement(9, { rows: 3, language: 'en', override: { row: 2, column: 'Date/Time', value: '2026-11-20 9h10' } });
    expectStatementError(() => importGenerated(bad), { code: 'STATEMENT_BAD_DATE', line: 4, column: 'Date/Time' });
  });

  it('refuses a file with a header and no rows, and one with no header at all', () => {
    expectStatementError(() => importFile('acquirer-csv', 'norows.csv', utf8('MID,Date,Amount\n')), { code: 'STATEMENT_NO_ROWS' });
    expectStatementError(() => importFile('acquirer-csv', 'prose.csv', utf8('hello\nworld\n')), { code: 'STATEMENT_HEADER_NOT_FOUND' });
  });

  it('reports an unclosed quote as a CSV syntax error with its line', () => {
    const text = 'MID,Date,Amount\n1,2026-11-20,1.00\n2,"2026-11-20,1.00\n';
    expectStatementError(() => importFile('acquirer-csv', 'quote.csv', utf8(text)), { code: 'STATEMENT_CSV_SYNTAX', line: 3 });
  });
});

describe('acquirer-csv: delimiters other than commas', () => {
  it('reads tab-, |- and ;-separated exports of the same statement alike', () => {
    const g = acquirerStatement(10, { language: 'en', rows: 20 });
    const want = withoutRaw(importGenerated(g).rows);
    // The English sample quotes only the merchant name, whose comma then needs no quotes.
    const comma = g.bytes.toString('utf8');
    for (const d of ['\t', '|', ';']) {
      const text = comma.replace(/"([^"]*)"|,/g, (m, quoted: string | undefined) => (quoted !== undefined ? quoted : d));
      const p = importFile('acquirer-csv', `tab-${d === '\t' ? 'tab' : d}.txt`, utf8(text));
      expect(withoutRaw(p.rows)).toEqual(want);
      if (d === '\t') {
        // Excel's "Unicode text": tab-separated UTF-16LE with a byte order mark.
        const u16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
        const q = importFile('acquirer-csv', 'unicode.txt', u16);
        expect([q.encoding, withoutRaw(q.rows)]).toEqual(['utf-16le', want]);
      }
    }
  });
});

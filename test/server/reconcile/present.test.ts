import { describe, expect, it } from 'vitest';
import { csvCell, discrepanciesCsv, type DiscrepancyJson } from '../../../src/server/reconcile/present.js';

const d = (over: Partial<DiscrepancyJson> = {}): DiscrepancyJson => ({
  key: 'missing:abc',
  date: '2026-11-20',
  kind: 'missing_receipt',
  cause: 'not_captured',
  status: 'open',
  explanation: '终端 10086001，14:03，消费 ¥128.00：对账单有此交易，但未采集到小票。',
  language: 'zh',
  explanation_zh: '终端 10086001，14:03，消费 ¥128.00：对账单有此交易，但未采集到小票。',
  explanation_en: 'Terminal 10086001, 14:03, sale ¥128.00: on the statement, no receipt captured.',
  statement_ids: ['st1:7'],
  receipt_ids: [],
  diff: [],
  store: 'S01',
  merchant_id: '102345678901234',
  terminal: '10086001',
  operator: null,
  at: '2026-11-20T14:03:00',
  trans_type: 'sale',
  amount_minor: 12800,
  currency: 'CNY',
  tier: null,
  health: null,
  clock: null,
  resolved_by: null,
  resolved_at: null,
  resolved_reason: null,
  decision: null,
  found_at: '2026-11-21T01:00:00.000Z',
  ...over,
});

describe('discrepancies as CSV', () => {
  it('quotes what must be quoted and keeps a spreadsheet from running a cell as a formula', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a, b')).toBe('"a, b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell(-12)).toBe('-12');
    expect(csvCell(null)).toBe('');
  });

  it('one line per discrepancy after the header, amounts in major units, UTF-8 with a BOM and CRLF', () => {
    const csv = discrepanciesCsv([
      d(),
      d({ key: 'amount_mismatch:x', kind: 'amount_mismatch', diff: [{ field: 'amount_minor', statement: 12800, receipt: 13800, receipt_ids: ['r1'] }], amount_minor: 123456, status: 'resolved', resolved_by: 'finance', resolved_at: '2026-11-21T02:00:00Z', resolved_reason: 'keyed, refunded' }),
    ]);
    expect(csv.startsWith('\ufeffkey,date,at,kind,cause,status,')).toBe(true);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(',128.00,CNY,');
    expect(lines[1]).toContain('对账单有此交易');
    expect(lines[2]).toContain(',1234.56,CNY,');
    expect(lines[2]).toContain('amount_minor: 12800 / 13800');
    expect(lines[2]).toMatch(/,finance,2026-11-21T02:00:00Z,"keyed, refunded"$/);
  });
});

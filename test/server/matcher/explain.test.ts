import { describe, expect, it } from 'vitest';
import { duration, explain } from '../../../src/server/matcher/explain.js';
import { formatMoney } from '../../../src/server/matcher/money.js';
import { parseLocal } from '../../../src/server/matcher/time.js';
import { at, only, row, run, slip } from './helpers.js';

const t = (hhmm: string): number => parseLocal(at(hhmm));
const RRN = '317080478227';
const known = slip('known', '09:00', { reference_no: '300000000001', amount_minor: 1 });
const knownRow = (language: 'en' | 'zh') => row('F:0', '09:00', { reference_no: '300000000001', amount_minor: 1 }, { language });

describe('money', () => {
  it('formats minor units as a clerk reads them', () => {
    expect(formatMoney(12800)).toBe('¥128.00');
    expect(formatMoney(128000, 'CNY')).toBe('¥1,280.00');
    expect(formatMoney(5, 'CNY')).toBe('¥0.05');
    expect(formatMoney(123456789, 'USD')).toBe('$1,234,567.89');
    expect(formatMoney(-2500, 'EUR')).toBe('-€25.00');
    expect(formatMoney(1500, 'JPY')).toBe('¥1,500');
    expect(formatMoney(990, 'CHF')).toBe('CHF 9.90');
  });

  it('durations in both languages', () => {
    expect(duration(7 * 60_000, 'en')).toBe('7 min');
    expect(duration(-(8 * 60_000 + 12_000), 'en')).toBe('8 min 12 s');
    expect(duration(3_725_000, 'zh')).toBe('1 小时 2 分 5 秒');
    expect(duration(400, 'zh')).toBe('0 秒');
  });
});

describe('the sentence a clerk acts on', () => {
  it('print failure: the example of the design, word for word, in both languages', () => {
    const text = explain(
      { subject: { kind: 'terminal', id: '10086001' }, at: t('14:03'), type: 'sale', amount: 12800, currency: 'CNY', ref: { kind: 'rrn', value: RRN } },
      { kind: 'print_failed', condition: 'paper_out', start: t('14:01'), end: t('14:10'), store: 'S01', printer: 'front' },
      { withDate: false },
    );
    expect(text.en).toBe(
      'Terminal 10086001, 14:03, sale ¥128.00 (RRN 317080478227): on the statement, no receipt captured; the printer reported paper end 14:01–14:10 (store S01, printer front).',
    );
    expect(text.zh).toBe(
      '终端 10086001，14:03，消费 ¥128.00（参考号 317080478227）：对账单有此交易，但未采集到小票；打印机 14:01–14:10 报告缺纸（门店 S01，打印机 front）。',
    );
  });

  it('a run over several days shows dates', () => {
    const text = explain(
      { subject: { kind: 'terminal', id: '10086001' }, at: t('14:03'), type: 'refund', amount: 500, currency: 'CNY', ref: { kind: 'voucher', value: '000123' } },
      { kind: 'missing_receipt', store: null },
      { withDate: true },
    );
    expect(text.en).toBe(
      'Terminal 10086001, 2026-11-20 14:03, refund ¥5.00 (voucher 000123): on the statement, no receipt captured; check that the slip printed and that the capture agent is running.',
    );
    expect(text.zh).toBe('终端 10086001，2026-11-20 14:03，退货 ¥5.00（凭证号 000123）：对账单有此交易，但未采集到小票；请检查小票是否打印，以及采集程序是否在运行。');
  });

  it('explanation follows the statement language, and both languages are always there', () => {
    const health = [{ store: 'S01', printer: 'front', condition: 'paper_out' as const, start: `${at('14:01')}+08:00`, end: `${at('14:10')}+08:00` }];
    for (const language of ['en', 'zh'] as const) {
      const r = run({ statements: [knownRow(language), row('F:1', '14:03', { reference_no: RRN }, { language })], receipts: [known], health });
      const d = only(r, 'print_failed');
      expect(d.language).toBe(language);
      expect(d.explanation).toBe(language === 'en' ? d.explanation_en : d.explanation_zh);
      expect(d.explanation_en).toBe(
        'Terminal 10086001, 14:03, sale ¥128.00 (RRN 317080478227): on the statement, no receipt captured; the printer reported paper end 14:01–14:10 (store S01, printer front).',
      );
      expect(d.explanation_zh).toBe('终端 10086001，14:03，消费 ¥128.00（参考号 317080478227）：对账单有此交易，但未采集到小票；打印机 14:01–14:10 报告缺纸（门店 S01，打印机 front）。');
    }
  });

  it('missing receipt', () => {
    const d = only(run({ statements: [knownRow('zh'), row('F:1', '14:03', { reference_no: RRN })], receipts: [known] }), 'missing_receipt');
    expect(d.explanation_en).toBe(
      'Terminal 10086001, 14:03, sale ¥128.00 (RRN 317080478227): on the statement, no receipt captured; check that the slip printed and that the capture agent at store S01 is running.',
    );
    expect(d.explanation_zh).toBe('终端 10086001，14:03，消费 ¥128.00（参考号 317080478227）：对账单有此交易，但未采集到小票；请检查小票是否打印，以及门店 S01 的采集程序是否在运行。');
  });

  it('orphan receipt', () => {
    const d = only(run({ statements: [knownRow('zh')], receipts: [known, slip('o', '13:00', { trace_no: '000077', amount_minor: 5000 })] }), 'orphan_receipt');
    expect(d.language).toBe('zh');
    expect(d.explanation).toBe('终端 10086001，13:00，消费 ¥50.00（凭证号 000077）：采集到小票（门店 S01，打印机 front），但对账单无此交易；请核实是否已撤销或被拒，以及小票是否真实。');
    expect(d.explanation_en).toBe(
      'Terminal 10086001, 13:00, sale ¥50.00 (voucher 000077): receipt captured (store S01, printer front), not on the statement; check whether it was voided or declined, or whether the slip is genuine.',
    );
  });

  it('amount, type and data differences', () => {
    const r = run({
      statements: [
        row('F:1', '14:03', { reference_no: RRN }),
        row('F:2', '15:10', { reference_no: '317080478228', amount_minor: 9900 }),
        row('F:3', '16:20', { reference_no: '317080478229', amount_minor: 4200, auth_code: 'A1B2C3', card_last4: '1234' }),
      ],
      receipts: [
        slip('a', '14:03', { reference_no: RRN, amount_minor: 12000, operator_id: '02', card_number: '622588******1234' }),
        slip('b', '15:10', { reference_no: '317080478228', amount_minor: 9900, trans_type: 'refund', operator_id: '03' }),
        slip('c', '16:20', { reference_no: '317080478229', amount_minor: 4200, auth_code: 'ZZ9999', card_number: '622588******4321' }),
      ],
    });
    expect(only(r, 'amount_mismatch').explanation_en).toBe(
      'Terminal 10086001, 14:03, sale ¥128.00 (RRN 317080478227): the receipt shows ¥120.00, the statement ¥128.00; check with operator 02.',
    );
    expect(only(r, 'amount_mismatch').explanation_zh).toBe('终端 10086001，14:03，消费 ¥128.00（参考号 317080478227）：小票金额 ¥120.00，对账单金额 ¥128.00；请向操作员 02 核实。');
    expect(only(r, 'type_mismatch').explanation_en).toBe(
      'Terminal 10086001, 15:10, sale ¥99.00 (RRN 317080478228): the receipt says refund, the statement sale; check with operator 03.',
    );
    expect(only(r, 'type_mismatch').explanation_zh).toBe('终端 10086001，15:10，消费 ¥99.00（参考号 317080478228）：小票交易类型为退货，对账单为消费；请向操作员 03 核实。');
    expect(only(r, 'data_mismatch').explanation_en).toBe(
      'Terminal 10086001, 16:20, sale ¥42.00 (RRN 317080478229): receipt and statement differ in card last 4 (receipt 4321, statement 1234) and auth code (receipt ZZ9999, statement A1B2C3).',
    );
    expect(only(r, 'data_mismatch').explanation_zh).toBe(
      '终端 10086001，16:20，消费 ¥42.00（参考号 317080478229）：小票与对账单不一致：卡号后四位（小票 4321，对账单 1234）、授权码（小票 ZZ9999，对账单 A1B2C3）。',
    );
  });

  it('reprint and duplicate', () => {
    const f = { reference_no: RRN };
    const r = run({
      statements: [row('F:1', '14:03', f)],
      receipts: [
        slip('a', '14:03', { ...f, copy: 'merchant' }),
        slip('b', '14:03', { ...f, copy: 'merchant' }, { captured_at: '2026-11-20T14:05:00+08:00' }),
        slip('c', '14:03', { ...f, copy: 'cardholder', reprint: true }, { captured_at: '2026-11-20T14:20:00+08:00', printer: 'back' }),
      ],
    });
    expect(only(r, 'duplicate').explanation_en).toBe(
      'Terminal 10086001, 14:03, sale ¥128.00 (RRN 317080478227): the merchant copy was printed again at 14:05 without a reprint mark (first print 14:03, printer front); ask the cashier why.',
    );
    expect(only(r, 'duplicate').explanation_zh).toBe(
      '终端 10086001，14:03，消费 ¥128.00（参考号 317080478227）：商户存根于 14:05 再次打印，且无重打印标记（首次打印 14:03，打印机 front）；请向收银员核实原因。',
    );
    expect(only(r, 'reprint').explanation_en).toBe(
      'Terminal 10086001, 14:03, sale ¥128.00 (RRN 317080478227): reprinted at 14:20 on printer back, marked as a reprint; for information.',
    );
    expect(only(r, 'reprint').explanation_zh).toBe('终端 10086001，14:03，消费 ¥128.00（参考号 317080478227）：于 14:20 在打印机 back 重打印，小票标有重打印；仅供参考。');
  });

  it('clock drift and ambiguity', () => {
    const clock = explain(
      { subject: { kind: 'terminal', id: '10086001' }, at: null, type: null, amount: null, currency: 'CNY', ref: null },
      { kind: 'clock_drift', offsetMs: -(7 * 60_000 + 12_000), samples: 34 },
      { withDate: false },
    );
    expect(clock.en).toBe("Terminal 10086001: its clock runs 7 min 12 s behind the statement (median of 34 matched transactions); set the terminal's date and time.");
    expect(clock.zh).toBe('终端 10086001：时钟比对账单慢 7 分 12 秒（34 笔已匹配交易的中位数）；请校正终端的日期和时间。');

    const r = run({
      statements: [row('F:1', '14:03', { card_last4: '1234', amount_minor: 5000 }), row('F:2', '14:04', { card_last4: '1234', amount_minor: 5000 })],
      receipts: [slip('a', '14:03', { card_number: '622588******1234', amount_minor: 5000 }), slip('b', '14:05', { card_number: '622588******1234', amount_minor: 5000 })],
    });
    const d = only(r, 'ambiguous');
    expect(d.explanation_en).toBe(
      'Terminal 10086001, 14:03–14:05, sale ¥50.00: 2 statement transactions and 2 receipts with the same amount and card within 5 min could pair either way; pair them by hand.',
    );
    expect(d.explanation_zh).toBe('终端 10086001，14:03–14:05，消费 ¥50.00：2 笔对账单交易与 2 张小票金额、卡号相同且相差不到 5 分，无法自动对应；请人工核对。');
  });

  it('wallet rows name the merchant and the transaction number', () => {
    const d = only(
      run({
        statements: [row('W:1', '10:00', { source: 'wechat', merchant_id: '1900000109', terminal_id: undefined, transaction_id: '4200001234567890', amount_minor: 2800 }, { language: 'zh' })],
        receipts: [],
      }),
      'missing_receipt',
    );
    expect(d.explanation).toBe('商户 1900000109，10:00，消费 ¥28.00（交易单号 4200001234567890）：对账单有此交易，但未采集到小票；请检查小票是否打印，以及采集程序是否在运行。');
  });
});

describe('printer conditions', () => {
  it('each condition in both languages; "no response" is not "offline"', () => {
    const head = { subject: { kind: 'terminal' as const, id: '10086001' }, at: t('14:03'), type: 'sale' as const, amount: 100, currency: 'CNY', ref: null };
    const say = (condition: 'paper_out' | 'cover_open' | 'offline' | 'error' | 'no_response') =>
      explain(head, { kind: 'print_failed', condition, start: t('14:01'), end: t('14:10'), store: 'S01', printer: 'front' }, { withDate: false });
    expect(say('cover_open').en).toContain('the printer reported cover open 14:01–14:10');
    expect(say('offline').zh).toContain('打印机 14:01–14:10 报告脱机');
    expect(say('error').en).toContain('the printer reported an error 14:01–14:10');
    expect(say('no_response').en).toContain('the printer did not respond 14:01–14:10');
    expect(say('no_response').zh).toContain('打印机 14:01–14:10 无响应');
    expect(say('paper_out').en.startsWith('Terminal 10086001, 14:03, sale ¥1.00: on the statement')).toBe(true);
  });
});

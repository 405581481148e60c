import { describe, expect, it } from 'vitest';
import { EscPosBuilder } from '../../src/escpos/builder.js';
import { decodeBuffer } from '../../src/receipt/decoder.js';
import { extractFields } from '../../src/receipt/fields/extract.js';
import { parseTemplate } from '../../src/receipt/fields/template.js';
import { parseAmount, parseDateTime } from '../../src/receipt/fields/values.js';

/** Print `lines` as a slip (GB18030, CJK mode) and read the fields the decoder gives. */
function fieldsOf(lines: string[], chinese = true) {
  const b = new EscPosBuilder().init();
  if (chinese) b.cjk(true);
  for (const l of lines) b.line(l);
  const r = decodeBuffer(b.cut().build());
  expect(r.receipts).toHaveLength(1);
  return r.receipts[0]!.fields;
}

describe('UnionPay 签购单', () => {
  it('bilingual labels, values on the same line and on the next', () => {
    const f = fieldsOf([
      '      银联POS签购单',
      '持卡人存根        CARDHOLDER COPY',
      '--------------------------------',
      '商户名称(MERCHANT NAME):',
      '  上海天天便利店',
      '商户编号(MERCHANT NO.):',
      '  898310048161234',
      '终端编号(TERMINAL NO.):10086001',
      '操作员号(OPERATOR NO.):01',
      '发卡行(ISSUER):中国银行',
      '收单行(ACQUIRER):银联商务',
      '卡号(CARD NO.):',
      '  6225 88** **** 1234 S',
      '有效期(EXP DATE):28/12',
      '交易类型(TRANS TYPE):',
      '  消费/SALE',
      '批次号(BATCH NO.):000123',
      '凭证号(VOUCHER NO.):004567',
      '授权码(AUTH NO.):A1B2C3',
      '参考号(REFER NO.):317080478227',
      '日期/时间(DATE/TIME):',
      '  2026/11/20 09:10:00',
      '金额(AMOUNT):',
      '  RMB 1,280.00',
      '备注(REFERENCE):',
      '持卡人签名(CARDHOLDER SIGNATURE):',
    ]);
    expect(f).toEqual({
      template: 'unionpay',
      merchant_name: '上海天天便利店',
      merchant_id: '898310048161234',
      terminal_id: '10086001',
      operator_id: '01',
      issuer: '中国银行',
      acquirer: '银联商务',
      card_number: '622588******1234',
      trans_type: 'sale',
      batch_no: '000123',
      trace_no: '004567',
      auth_code: 'A1B2C3',
      reference_no: '317080478227',
      datetime: '2026-11-20T09:10:00',
      amount_minor: 128000,
      currency: 'CNY',
      copy: 'cardholder',
    });
  });

  it('real variants: full-width colons and brackets, REF NO, AMOUT, ￥, separate DATE and TIME', () => {
    const f = fieldsOf([
      'POS签购单 商户存根',
      '商户编号（MERCHANT NO.）：102310048161234',
      '终端编号（TERMINAL NO.）：10086002',
      '交易类型（TRANS TYPE）：退货 REFUND',
      '凭证号（VOUCHER NO.）：000088',
      '原凭证号：000077',
      '参考号（REF NO.）：317080478300',
      '原参考号：317080478227',
      '日期（DATE）：2026-11-21  时间（TIME）：18:05:09',
      '金额（AMOUT）：￥-56.50',
    ]);
    expect(f).toMatchObject({
      template: 'unionpay',
      merchant_id: '102310048161234',
      terminal_id: '10086002',
      trans_type: 'refund',
      trace_no: '000088',
      original_trace_no: '000077',
      reference_no: '317080478300',
      original_reference_no: '317080478227',
      datetime: '2026-11-21T18:05:09',
      amount_minor: 5650,
      currency: 'CNY',
      copy: 'merchant',
    });
  });

  it('voids, preauth completions and preauth voids; reprints and bank copies', () => {
    const base = ['商户编号:898310048161234', '终端编号:10086001', '凭证号:000123'];
    expect(fieldsOf([...base, '交易类型:消费撤销/VOID', '原凭证号:000100']).trans_type).toBe('void');
    expect(fieldsOf([...base, '交易类型:预授权完成(请求)/AUTH COMPLETE']).trans_type).toBe('preauth_complete');
    expect(fieldsOf([...base, '交易类型:预授权撤销/AUTH VOID']).trans_type).toBe('preauth_void');
    expect(fieldsOf([...base, '交易类型:预授权/AUTH']).trans_type).toBe('preauth');
    const r = fieldsOf(['银行存根 BANK COPY', '***重打印凭证 REPRINT***', ...base, '交易类型:消费/SALE']);
    expect(r).toMatchObject({ copy: 'bank', reprint: true, trans_type: 'sale' });
  });

  it('test and fault slips are recognised as such', () => {
    const base = ['商户编号:898310048161234', '终端编号:10086001', '凭证号:000123'];
    expect(fieldsOf(['***测试*** TEST SLIP', ...base])).toMatchObject({ test: true, trans_type: 'other' });
    expect(fieldsOf([...base, '交易类型:消费/SALE', '交易失败 DECLINED'])).toMatchObject({ fault: true, trans_type: 'sale' });
  });

  it('with ESC R 15 a `$` prints as ¥ and the amount is yuan', () => {
    const input = new EscPosBuilder().init().international(15).cjk(true).line('商户编号:898310048161234').line('终端编号:10086001').line('凭证号:000123').line('金额:$88.00').cut().build();
    const f = decodeBuffer(input).receipts[0]!.fields;
    expect(f).toMatchObject({ amount_minor: 8800, currency: 'CNY' });
  });
});

describe('EMV card slip', () => {
  it('MID, TID, BATCH, INVOICE, RRN, APPR CODE, masked card, entry mode, AID, TIP and TOTAL', () => {
    const f = fieldsOf(
      [
        'BLUE BOTTLE CAFE',
        '123 MARKET ST, SAN FRANCISCO',
        'MID: 000000012345678',
        'TID: 87654321',
        'BATCH: 000045     INVOICE: 000912',
        'SALE',
        'VISA           ************4242',
        'ENTRY MODE: CONTACTLESS',
        'AID: A0000000031010',
        'DATE: 11/20/2026  TIME: 14:03:22',
        'RRN: 633214567890',
        'APPR CODE: 08731Z',
        'BASE           $10.00',
        'TIP             $2.00',
        'TOTAL          USD 12.00',
        'CUSTOMER COPY',
      ],
      false,
    );
    expect(f).toEqual({
      template: 'emv',
      merchant_name: 'BLUE BOTTLE CAFE',
      merchant_id: '000000012345678',
      terminal_id: '87654321',
      batch_no: '000045',
      trace_no: '000912',
      trans_type: 'sale',
      card_number: '************4242',
      entry_mode: 'CONTACTLESS',
      aid: 'A0000000031010',
      datetime: '2026-11-20T14:03:22',
      reference_no: '633214567890',
      auth_code: '08731Z',
      tip_minor: 200,
      amount_minor: 1200,
      currency: 'USD',
      copy: 'cardholder',
    });
  });
});

describe('retail receipts and wallet slips', () => {
  it('a Chinese till receipt: number, cashier, items, total, payment', () => {
    const f = fieldsOf([
      '      华联超市(人民路店)',
      '单号:20261120-0042',
      '收银员:张三',
      '------------------------------------------',
      '矿泉水550ml             2        4.00',
      '面包                    1        6.50',
      '------------------------------------------',
      '合计:10.50',
      '支付方式:微信支付',
      '时间:2026-11-20 19:01:02',
    ]);
    expect(f).toMatchObject({
      template: 'retail',
      receipt_no: '20261120-0042',
      cashier: '张三',
      total_minor: 1050,
      currency: 'CNY',
      payment_method: 'wechat',
      datetime: '2026-11-20T19:01:02',
      items: [
        { name: '矿泉水550ml', qty: 2, amount_minor: 400 },
        { name: '面包', qty: 1, amount_minor: 650 },
      ],
    });
  });

  it('a WeChat Pay slip: 商户单号, 交易单号, amount', () => {
    const f = fieldsOf([
      '微信支付凭证',
      '商户名称:小杨生煎(南京西路店)',
      '商户单号:T2026112012345678',
      '交易单号:4200001234202611201234567890',
      '支付方式:微信支付',
      '实付金额:¥36.00',
      '交易时间:2026-11-20 12:30:45',
      '支付成功',
    ]);
    expect(f).toEqual({
      template: 'wechat',
      merchant_name: '小杨生煎(南京西路店)',
      merchant_order_no: 'T2026112012345678',
      transaction_id: '4200001234202611201234567890',
      amount_minor: 3600,
      currency: 'CNY',
      datetime: '2026-11-20T12:30:45',
      payment_method: 'wechat',
      trans_type: 'sale',
    });
  });

  it('an Alipay refund slip', () => {
    const f = fieldsOf(['支付宝退款凭证', '商户单号:R20261120001', '支付宝交易号:2026112022001412345678901234', '退款金额:¥12.00']);
    expect(f).toMatchObject({
      template: 'alipay',
      merchant_order_no: 'R20261120001',
      transaction_id: '2026112022001412345678901234',
      amount_minor: 1200,
      trans_type: 'refund',
      payment_method: 'alipay',
    });
  });
});

describe('no guessing', () => {
  it('receipts of other kinds get {}', () => {
    expect(fieldsOf(['厨房单 KITCHEN', '桌号: 12', '宫保鸡丁 x1', '米饭 x2'])).toEqual({});
    expect(fieldsOf(['QUEUE TICKET', 'A042', 'Please wait'], false)).toEqual({});
    expect(fieldsOf(['SHIFT REPORT', 'Sales 1234567890123', 'Count 42'], false)).toEqual({});
  });

  it('a user adds a layout by writing a template', () => {
    const t = parseTemplate(`
name: parking
description: Parking ticket
currency: CNY
detect: [['停车']]
fields:
  receipt_no: { kind: id, labels: ['票号'], value: '\\d+' }
  amount_minor: { kind: amount, labels: ['停车费'] }
`);
    expect(extractFields(['停车收费凭证', '票号:00991', '停车费:15.00元'], [t])).toEqual({
      template: 'parking',
      receipt_no: '00991',
      amount_minor: 1500,
      currency: 'CNY',
    });
    expect(() => parseTemplate('name: x\ndescription: y\ncurrency: CNY\ndetect: [["("]]\nfields: {}')).toThrow(/regular expression/);
  });
});

describe('values', () => {
  it('amounts to minor units with currency', () => {
    expect(parseAmount('RMB 1,280.00', 'CNY')).toEqual({ minor: 128000, currency: 'CNY', negative: false });
    expect(parseAmount('128.00元', 'CNY')).toMatchObject({ minor: 12800, currency: 'CNY' });
    expect(parseAmount('12,50 €', 'EUR')).toMatchObject({ minor: 1250, currency: 'EUR' });
    expect(parseAmount('HK$ 99.9', 'USD')).toMatchObject({ minor: 9990, currency: 'HKD' });
    expect(parseAmount('-56.50', 'CNY')).toMatchObject({ minor: 5650, negative: true, currency: null });
    expect(parseAmount('€13.462,45', 'EUR')).toMatchObject({ minor: 1346245, currency: 'EUR' });
    expect(parseAmount('USD$-440.97', 'USD')).toMatchObject({ minor: 44097, currency: 'USD', negative: true });
    expect(parseAmount('1,280', 'CNY')).toMatchObject({ minor: 128000 });
    // A sentence that mentions an amount is not one.
    expect(parseAmount('未超过1000.00元', 'CNY')).toBeNull();
  });

  it('dates and times to ISO 8601 local', () => {
    expect(parseDateTime('2026/11/20 09:10:00', 'dmy')).toBe('2026-11-20T09:10:00');
    expect(parseDateTime('20261120 091000', 'dmy')).toBe('2026-11-20T09:10:00');
    expect(parseDateTime('2026年11月20日 09:10', 'dmy')).toBe('2026-11-20T09:10:00');
    expect(parseDateTime('20/11/2026 14:03', 'dmy')).toBe('2026-11-20T14:03:00');
    expect(parseDateTime('03/04/26 02:05 PM', 'mdy')).toBe('2026-03-04T14:05:00');
    expect(parseDateTime('NOV 20, 26 09:10', 'dmy')).toBe('2026-11-20T09:10:00');
  });
});

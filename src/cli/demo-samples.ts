/**
 * The sample captures `tilltap demo` decodes: made here by tilltap's own encoder, shaped like what
 * real counters send (a Chinese UnionPay slip from a clone printer that powers up in GB18030 mode,
 * an English retail receipt with a logo, tabs, € and a barcode, and a status poll between jobs).
 */
import { EscPosBuilder, testPattern } from '../escpos/builder.js';

export interface Sample {
  readonly name: string;
  readonly description: string;
  readonly bytes: Uint8Array;
}

/** Local time in China (UTC+8), where the sample shop is: `YYYY-MM-DDTHH:MM:SS`. */
function chinaTime(t: number): string {
  return new Date(t + 8 * 3_600_000).toISOString().slice(0, 19);
}

function unionPaySlip(at: number): Uint8Array {
  const b = new EscPosBuilder().init().assumeEncoding('gb18030');
  b.align('center').size(2, 2).line('银联POS签购单').size(1, 1).line('商户存根 MERCHANT COPY').align('left');
  b.line('-'.repeat(32));
  b.line('商户名称(MERCHANT NAME):').line('  天天便利店(人民路店)');
  b.line('商户编号(MERCHANT NO.):').line('  898310048161234');
  b.line('终端编号(TERMINAL NO.):10086001');
  b.line('操作员号(OPERATOR NO.):01');
  b.line('卡号(CARD NO.):').bold(true).line('  622588******1234 C').bold(false);
  b.line('交易类型(TRANS TYPE):').bold(true).line('  消费/SALE').bold(false);
  b.line('批次号(BATCH NO.):000123');
  b.line('凭证号(VOUCHER NO.):004567');
  b.line('授权码(AUTH NO.):123456');
  b.line('参考号(REFER NO.):317080478227');
  b.line('日期/时间(DATE/TIME):').line(`  ${chinaTime(at).replace('T', ' ').replace(/-/g, '/')}`);
  b.line('金额(AMOUNT):').size(2, 2).line('RMB 128.00').size(1, 1);
  b.line('-'.repeat(32));
  b.line('持卡人签名(CARDHOLDER SIGNATURE):').line().line();
  b.line('本人确认以上交易,同意将其记入本卡账户');
  b.align('center').qr('https://pay.example.cn/r/317080478227').line();
  return b.feed(3).cut('partial').build();
}

function retailReceipt(at: number): Uint8Array {
  const b = new EscPosBuilder().init();
  b.align('center').raster(128, 48, testPattern(128, 48)).line();
  b.size(2, 2).bold(true).line('CORNER MARKET').size(1, 1).bold(false);
  b.line('12 High Street, Springfield').line('Tel 555-0100').line();
  b.align('left').codepage(19, 'cp858').tabStops([26, 38]);
  b.text('Receipt 000482').tab().line('Cashier: Ana');
  b.line(chinaTime(at).replace('T', ' ').slice(0, 16));
  b.line('-'.repeat(48));
  for (const [item, price] of [
    ['Milk 1L', '1.19'],
    ['Bread (sourdough)', '3.40'],
    ['Café crème x2', '5.80'],
    ['Apples 1.2kg', '2.64'],
  ] as const) {
    b.text(item).tab().tab().line(`€ ${price}`);
  }
  b.line('-'.repeat(48));
  b.bold(true).size(1, 2).text('TOTAL').tab().tab().line('€ 13.03').size(1, 1).bold(false);
  b.text('Card').tab().tab().line('€ 13.03');
  b.line().align('center').invert(true).line(' THANK YOU ').invert(false);
  b.barcode('ean13', '4006381333931').line();
  return b.feed(4).cut('full').drawer().build();
}

function statusPoll(): Uint8Array {
  return new EscPosBuilder().pollStatus(1).pollStatus(2).pollStatus(4).line().build();
}

/** The slips print the time they are made at (a few minutes before `now`), as a real POS would. */
export function demoSamples(now = Date.now()): Sample[] {
  return [
    { name: 'unionpay-slip.bin', description: 'UnionPay 签购单 from a clone printer in GB18030 mode (no FS &)', bytes: unionPaySlip(now - 3 * 60_000) },
    { name: 'status-poll.bin', description: 'a POS polling printer status between jobs (nothing printed)', bytes: statusPoll() },
    { name: 'retail-receipt.bin', description: 'English retail receipt: logo, tabs, CP858 €, EAN-13', bytes: retailReceipt(now - 60_000) },
  ];
}

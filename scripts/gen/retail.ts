/**
 * Retail receipts (小票) from cash-register software, in Chinese and in English: shop name,
 * receipt number, cashier, line items in columns (or two lines each), total, payment method.
 */
import { cellWidth } from '../../src/escpos/cell-width.js';
import type { LineItem } from '../../src/receipt/fields/types.js';
import { CN_GOODS, CN_MERCHANTS, EN_GOODS, EN_SHOPS, PEOPLE_CN, PEOPLE_EN } from './data.js';
import { ampm, chance, digits, hm, hms, int, iso, money, pad, Paper, pick, type Rnd, type TextMode, weighted, when, ymd } from './kit.js';
import type { Draft, Truth } from './types.js';

interface Bought {
  readonly name: string;
  readonly qty: number;
  readonly price: number;
}

function basket(rnd: Rnd, goods: readonly (readonly [string, number])[]): Bought[] {
  const n = 1 + int(rnd, 7);
  const out: Bought[] = [];
  const used = new Set<string>();
  for (let i = 0; i < n; i++) {
    const [name, price] = pick(rnd, goods);
    if (used.has(name)) continue;
    used.add(name);
    out.push({ name, qty: weighted(rnd, [[1, 6], [2, 3], [3, 1], [4, 1], [6, 0.5]] as const), price });
  }
  return out;
}

export function retailReceipt(rnd: Rnd): Draft {
  return chance(rnd, 0.6) ? chineseReceipt(rnd) : englishReceipt(rnd);
}

function chineseReceipt(rnd: Rnd): Draft {
  const tags: string[] = ['lang:zh'];
  const truth: Truth = {};
  const width = weighted(rnd, [[32, 5], [42, 1], [48, 4]] as const);
  const mode: TextMode = weighted(rnd, [['gb-fs', 5], ['gb-power', 4], ['utf8', 1]] as const);
  tags.push(`w${width}`, mode);
  const p = new Paper(width, mode);
  if (mode !== 'utf8' && chance(rnd, 0.2)) {
    p.chinaSet();
    tags.push('esc-r-15');
  }
  const w_ = when(rnd);

  const shop = pick(rnd, CN_MERCHANTS);
  truth.merchant_name = shop;
  if (p.fits(shop, 2)) p.centered(shop, { w: 2, h: 2, bold: chance(rnd, 0.5) });
  else p.centered(shop, { bold: true, h: 2 });
  if (chance(rnd, 0.6)) p.centered(`电话:${pick(rnd, ['021-', '010-', '0755-', '020-'])}${digits(rnd, 8)}`);
  if (chance(rnd, 0.3)) p.centered(pick(rnd, ['欢迎光临', '购物小票', '销售单']));
  p.rule();

  const noLabel = pick(rnd, ['小票号', '单号', '销售单号', '票号', 'NO.']);
  const receiptNo = weighted(rnd, [[pad(1 + int(rnd, 99_999_999), 8), 3], [`${ymd(w_, '')}${digits(rnd, 4)}`, 3], [`${pick(rnd, ['S', 'X', 'P'])}${digits(rnd, 10)}`, 2]] as const);
  truth.receipt_no = receiptNo;
  const colon = pick(rnd, [':', '：']);
  const cashier = chance(rnd, 0.6) ? pick(rnd, PEOPLE_CN) : pad(1 + int(rnd, 20), pick(rnd, [2, 3, 4]));
  const cashierLabel = pick(rnd, ['收银员', '收银员', '收银']);
  const printCashier = chance(rnd, 0.85);
  if (printCashier) truth.cashier = cashier;
  const a = `${noLabel}${colon}${receiptNo}`;
  const b = `${cashierLabel}${colon}${cashier}`;
  const ab = printCashier ? p.lr(a, b, 2) : null;
  if (ab && chance(rnd, 0.5)) p.line(ab);
  else {
    p.line(a);
    if (printCashier) p.line(b);
  }
  const dateForm = weighted(rnd, [['label-dash', 3], ['label-slash', 2], ['bare', 2], ['split', 2], ['no-seconds', 1]] as const);
  tags.push(`date:${dateForm}`);
  truth.datetime = iso(w_, dateForm !== 'no-seconds');
  if (dateForm === 'label-dash') p.line(`日期${colon}${ymd(w_, '-')} ${hms(w_)}`);
  else if (dateForm === 'label-slash') p.line(`时间${colon}${ymd(w_, '/')} ${hms(w_)}`);
  else if (dateForm === 'bare') p.line(`${ymd(w_, '-')} ${hms(w_)}`);
  else if (dateForm === 'split') {
    const both = p.lr(`日期${colon}${ymd(w_, '-')}`, `时间${colon}${hms(w_)}`, 2);
    if (both) p.line(both);
    else p.line(`日期${colon}${ymd(w_, '-')}`).line(`时间${colon}${hms(w_)}`);
  } else p.line(`交易时间${colon}${ymd(w_, '-')} ${hm(w_)}`);
  p.rule();

  const items = basket(rnd, CN_GOODS);
  const layout = weighted(rnd, [['cols4', width >= 42 ? 4 : 0], ['cols3', 3], ['two-line', 3]] as const);
  tags.push(`items:${layout}`);
  const total = items.reduce((s, i) => s + i.qty * i.price, 0);
  if (layout === 'two-line') {
    p.line(p.columns(['品名', '数量', '金额'], [width - 16, -6, -10]));
    for (const it of items) {
      p.line(it.name);
      p.line(p.columns([`  ${money(it.price)}`, `x${it.qty}`, money(it.qty * it.price)], [width - 16, -6, -10]));
    }
  } else {
    const widths = layout === 'cols4' ? [width - 22, -4, -8, -10] : [width - 14, -4, -10];
    p.line(p.columns(layout === 'cols4' ? ['品名', '数量', '单价', '金额'] : ['商品', '数量', '金额'], widths));
    const out: LineItem[] = [];
    for (const it of items) {
      const name = it.name;
      if (cellWidth(name) > Math.abs(widths[0]!) - 1) throw new Error(`item name too long for the column: ${name}`);
      const cells = layout === 'cols4' ? [name, String(it.qty), money(it.price), money(it.qty * it.price)] : [name, String(it.qty), money(it.qty * it.price)];
      p.line(p.columns(cells, widths));
      out.push({ name, qty: it.qty, amount_minor: it.qty * it.price });
    }
    truth.items = out;
  }
  p.rule();

  const sym = weighted(rnd, p.halfYen ? [['', 3], ['￥', 2], ['¥', 3], ['元', 1]] : [['', 4], ['￥', 3], ['元', 1]]);
  tags.push(`currency:${sym || 'none'}`);
  const cur = (m: number): string => (sym === '元' ? `${money(m)}元` : `${sym}${money(m)}`);
  // A Chinese shop's receipt is in yuan, sign or no sign (English receipts: only when printed).
  truth.currency = 'CNY';
  truth.total_minor = total;
  const count = items.reduce((s, i) => s + i.qty, 0);
  const totalLabel = pick(rnd, ['合计', '合计金额', '应收', '应收金额', '总计']);
  if (chance(rnd, 0.5)) {
    const both = p.lr(`数量${colon}${count}`, `${totalLabel}${colon}${cur(total)}`, 2);
    if (both) p.line(both, { bold: chance(rnd, 0.5) });
    else p.line(`数量${colon}${count}`).line(`${totalLabel}${colon}${cur(total)}`);
    tags.push('count-beside-total');
  } else {
    const t = `${totalLabel}${colon}${cur(total)}`;
    if (p.fits(t, 2) && chance(rnd, 0.5)) p.line(t, { w: 2, h: 2 });
    else p.line(p.lr(`${totalLabel}${colon}`, cur(total)) ?? t, { bold: true });
  }

  const method = weighted(rnd, [['cash', 4], ['wechat', 3], ['alipay', 2], ['card', 2], ['unionpay_qr', 0.5]] as const);
  truth.payment_method = method;
  tags.push(`pay:${method}`);
  if (method === 'cash') {
    const paid = Math.ceil(total / 5000) * 5000 + (chance(rnd, 0.3) ? 5000 : 0);
    if (chance(rnd, 0.4)) p.line(`付款方式${colon}现金`);
    p.line(p.lr(`现金${colon}`, money(paid)) ?? `现金${colon}${money(paid)}`);
    p.line(p.lr(`找零${colon}`, money(paid - total)) ?? `找零${colon}${money(paid - total)}`);
  } else {
    const word = { wechat: ['微信', '微信支付'], alipay: ['支付宝'], card: ['银行卡', '刷卡'], unionpay_qr: ['云闪付'] }[method];
    const wd = pick(rnd, word);
    if (chance(rnd, 0.5)) p.line(`付款方式${colon}${wd}`);
    else p.line(p.lr(`${wd}${colon}`, money(total)) ?? `${wd}${colon}${money(total)}`);
  }
  if (chance(rnd, 0.25)) p.line(`会员${colon}1${pick(rnd, ['38', '39', '86', '59'])}****${digits(rnd, 4)}`);
  p.rule();
  p.centered(pick(rnd, ['谢谢惠顾，欢迎再次光临', '谢谢惠顾', '请保留小票,七日内凭小票退换']));
  if (chance(rnd, 0.3)) p.b.align('center').barcode('code128', receiptNo).align('left');
  return { bytes: p.finish(rnd), truth, lines: p.lines, tags, kind: 'retail' };
}

function englishReceipt(rnd: Rnd): Draft {
  const tags: string[] = ['lang:en'];
  const truth: Truth = {};
  const width = weighted(rnd, [[32, 3], [42, 4], [48, 3]] as const);
  const region = weighted(rnd, [['US', 4], ['EU', 3], ['UK', 1], ['none', 2]] as const);
  const mode: TextMode = region === 'EU' || region === 'UK' ? 'cp858' : 'ascii';
  tags.push(`w${width}`, mode, `region:${region}`);
  const p = new Paper(width, mode);
  const w_ = when(rnd);

  const [shop, addr] = pick(rnd, EN_SHOPS[region]);
  truth.merchant_name = shop;
  p.centered(shop, { w: p.fits(shop, 2) ? 2 : 1, h: 2, bold: true });
  if (p.fits(addr)) p.centered(addr);
  if (chance(rnd, 0.5)) p.centered(`Tel ${digits(rnd, 3)}-${digits(rnd, 4)}`);
  p.blank();

  const receiptNo = chance(rnd, 0.6) ? pad(1 + int(rnd, 999_999), 6) : `${digits(rnd, 4)}-${digits(rnd, 3)}`;
  truth.receipt_no = receiptNo;
  const noLabel = pick(rnd, ['Receipt #:', 'RECEIPT NO:', 'Receipt No.', 'TICKET:', 'Receipt:']);
  const printCashier = chance(rnd, 0.8);
  const cashier = chance(rnd, 0.7) ? pick(rnd, PEOPLE_EN) : pad(1 + int(rnd, 30), 2);
  const cashierLabel = pick(rnd, ['Cashier:', 'CASHIER:', 'Cashier', 'Served by:']);
  if (printCashier) truth.cashier = cashier;
  const a = `${noLabel} ${receiptNo}`;
  const b = `${cashierLabel} ${cashier}`;
  const ab = printCashier ? p.lr(a, b, 2) : null;
  if (ab) p.line(ab);
  else {
    p.line(a);
    if (printCashier) p.line(b);
  }
  const dateForm = region === 'US' ? weighted(rnd, [['us-ampm', 1], ['iso-min', 1]] as const) : weighted(rnd, [['dmy', 2], ['iso-min', 1], ['iso-sec', 1]] as const);
  tags.push(`date:${dateForm}`);
  if (dateForm === 'us-ampm') {
    p.line(`${pad(w_.mo, 2)}/${pad(w_.d, 2)}/${w_.y} ${ampm(w_, false)}`);
    truth.datetime = iso(w_, false);
  } else if (dateForm === 'iso-min') {
    p.line(`${ymd(w_, '-')} ${hm(w_)}`);
    truth.datetime = iso(w_, false);
  } else if (dateForm === 'iso-sec') {
    p.line(`Date: ${ymd(w_, '-')}  ${hms(w_)}`);
    truth.datetime = iso(w_);
  } else {
    p.line(`${pad(w_.d, 2)}/${pad(w_.mo, 2)}/${w_.y} ${hms(w_)}`);
    truth.datetime = iso(w_);
  }
  p.rule();

  const items = basket(rnd, EN_GOODS);
  const sign = region === 'US' ? '$' : region === 'EU' ? '€' : region === 'UK' ? '£' : '';
  const comma = region === 'EU' && chance(rnd, 0.5);
  if (sign) truth.currency = { US: 'USD', EU: 'EUR', UK: 'GBP' }[region as 'US' | 'EU' | 'UK'];
  const m = (x: number): string => money(x, { comma });
  const layout = weighted(rnd, [['qty-name', 3], ['cols', 3], ['tabs', 2], ['two-line', 2]] as const);
  tags.push(`items:${layout}`);
  const out: LineItem[] = [];
  if (layout === 'tabs') p.tabStops([width - 14, width - 8]);
  for (const it of items) {
    const amt = it.qty * it.price;
    if (layout === 'qty-name') {
      p.line(p.lr(`${it.qty} x ${it.name}`, m(amt))!);
      out.push({ name: it.name, qty: it.qty, amount_minor: amt });
    } else if (layout === 'cols') {
      p.line(p.columns([it.name, String(it.qty), m(amt)], [width - 14, -4, -10]));
      out.push({ name: it.name, qty: it.qty, amount_minor: amt });
    } else if (layout === 'tabs') {
      p.tabLine([it.name, String(it.qty), m(amt)]);
      out.push({ name: it.name, qty: it.qty, amount_minor: amt });
    } else {
      p.line(it.name);
      p.line(p.lr(`   ${it.qty} @ ${m(it.price)}`, m(amt))!);
    }
  }
  if (layout !== 'two-line') truth.items = out;
  p.rule();
  const sub = items.reduce((s, i) => s + i.qty * i.price, 0);
  const tax = region === 'US' && chance(rnd, 0.7) ? Math.round(sub * 0.0825) : 0;
  const total = sub + tax;
  truth.total_minor = total;
  const money$ = (x: number): string => (sign === '€' && comma ? `${m(x)} €` : `${sign}${m(x)}`);
  if (tax > 0) {
    p.line(p.lr('SUBTOTAL', money$(sub))!);
    p.line(p.lr('TAX 8.25%', money$(tax))!);
  }
  const tl = pick(rnd, ['TOTAL', 'TOTAL', 'Total', 'TOTAL DUE', 'AMOUNT DUE']);
  if (chance(rnd, 0.5)) p.line(p.lr(tl, money$(total))!, { bold: true, h: 2 });
  else p.line(p.lr(tl, money$(total))!, { bold: true });

  const method = weighted(rnd, [['cash', 4], ['card', 5], ['wechat', 0.5], ['alipay', 0.5]] as const);
  truth.payment_method = method;
  tags.push(`pay:${method}`);
  if (method === 'cash') {
    const paid = Math.ceil(total / 1000) * 1000;
    p.line(p.lr(pick(rnd, ['CASH', 'Cash', 'Cash tendered']), money$(paid))!);
    p.line(p.lr(pick(rnd, ['CHANGE', 'Change']), money$(paid - total))!);
  } else if (method === 'card') {
    const word = pick(rnd, ['CARD', 'Card', 'VISA', 'MASTERCARD', 'DEBIT CARD', 'Paid by card']);
    p.line(p.lr(word, money$(total))!);
  } else {
    p.line(p.lr(method === 'wechat' ? 'WECHAT PAY' : 'ALIPAY', money$(total))!);
  }
  if (region === 'UK' || region === 'EU') p.centered(`VAT REG NO ${region === 'UK' ? 'GB' : 'DE'}${digits(rnd, 9)}`);
  p.blank();
  p.centered(pick(rnd, ['THANK YOU', 'Thank you for shopping with us!', 'Please come again']));
  if (chance(rnd, 0.3)) p.b.align('center').barcode('code128', `R${receiptNo.replace('-', '')}`).align('left');
  return { bytes: p.finish(rnd), truth, lines: p.lines, tags, kind: 'retail' };
}

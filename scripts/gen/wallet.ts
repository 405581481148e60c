/**
 * WeChat Pay / Alipay payment and refund slips as Chinese ordering and cash-register systems
 * (收钱吧, 客如云, 美团收银 and the like) print them after a QR payment.
 */
import { CN_MERCHANTS, PEOPLE_CN } from './data.js';
import { chance, digits, hms, int, iso, luhnValid, money, pad, Paper, pick, type Rnd, type TextMode, weighted, when, ymd } from './kit.js';
import type { Draft, Truth } from './types.js';

export function walletSlip(rnd: Rnd, wallet: 'wechat' | 'alipay'): Draft {
  const tags: string[] = [];
  const truth: Truth = {};
  const width = weighted(rnd, [[32, 6], [48, 4]] as const);
  const mode: TextMode = weighted(rnd, [['gb-fs', 5], ['gb-power', 4], ['utf8', 1]] as const);
  tags.push(`w${width}`, mode);
  const p = new Paper(width, mode);
  if (mode !== 'utf8' && chance(rnd, 0.2)) {
    p.chinaSet();
    tags.push('esc-r-15');
  }
  const w_ = when(rnd);
  const refund = chance(rnd, 0.2);
  truth.trans_type = refund ? 'refund' : 'sale';
  truth.payment_method = wallet;
  tags.push(refund ? 'type:refund' : 'type:sale');
  const colon = pick(rnd, ['：', ':']);
  const wname = wallet === 'wechat' ? pick(rnd, ['微信支付', '微信']) : pick(rnd, ['支付宝', '支付宝支付']);

  // Title: names the wallet, or a generic one (then the 支付方式 line says which).
  const shop = pick(rnd, CN_MERCHANTS);
  const shopOnTop = chance(rnd, 0.5);
  if (shopOnTop) {
    truth.merchant_name = shop;
    p.centered(shop, { w: p.fits(shop, 2) ? 2 : 1, h: 2, bold: true });
  }
  const titleNamesWallet = chance(rnd, 0.6);
  const title = refund
    ? titleNamesWallet ? `${wallet === 'wechat' ? '微信' : '支付宝'}退款凭证` : pick(rnd, ['退款凭证', '扫码退款凭证'])
    : titleNamesWallet ? pick(rnd, [`${wallet === 'wechat' ? '微信支付' : '支付宝'}凭证`, `${wallet === 'wechat' ? '微信' : '支付宝'}收款凭证`]) : pick(rnd, ['扫码支付凭证', '移动支付签购单', '支付凭证']);
  p.centered(title, { bold: true, w: p.fits(title, 2) && !shopOnTop ? 2 : 1, h: 2 });
  if (chance(rnd, 0.4)) p.centered(pick(rnd, ['商户存根', '顾客联']));
  p.rule();

  const put = (label: string, value: string): void => {
    const same = `${label}${colon}${value}`;
    if (p.fits(same)) p.line(same);
    else p.line(`${label}${colon}`).line(`  ${value}`);
  };
  if (!shopOnTop) {
    truth.merchant_name = shop;
    put('商户名称', shop);
  } else if (chance(rnd, 0.3)) put('门店编号', pad(1 + int(rnd, 999), 4));
  if (chance(rnd, 0.6)) {
    const c = chance(rnd, 0.6) ? pick(rnd, PEOPLE_CN) : pad(1 + int(rnd, 20), 3);
    truth.cashier = c;
    put('收银员', c);
  }
  if (!titleNamesWallet || chance(rnd, 0.6)) put(pick(rnd, ['支付方式', '付款方式', '支付渠道']), wname);
  if (chance(rnd, 0.5)) put('交易类型', refund ? '退款' : pick(rnd, ['支付', '消费', '付款']));
  const dt = `${ymd(w_, pick(rnd, ['-', '/']))} ${hms(w_)}`;
  truth.datetime = iso(w_);
  put(refund ? pick(rnd, ['退款时间', '交易时间']) : pick(rnd, ['交易时间', '支付时间']), dt);

  const order = weighted(rnd, [
    [`${ymd(w_, '')}${hms(w_).replaceAll(':', '')}${digits(rnd, 4)}`, 3],
    [`${ymd(w_, '')}${digits(rnd, 6)}`, 2],
    [`SQB${ymd(w_, '').slice(2)}${digits(rnd, 8)}`, 1],
    [`P${digits(rnd, 15)}`, 1],
  ] as const);
  truth.merchant_order_no = order;
  if (/^\d{13,19}$/.test(order) && luhnValid(order)) tags.push('order-no-passes-luhn');
  put(pick(rnd, ['商户单号', '商户订单号']), order);
  const txn = wallet === 'wechat' ? `42000${digits(rnd, 5)}${ymd(w_, '')}${digits(rnd, 10)}` : `${ymd(w_, '')}22001${digits(rnd, 15)}`;
  truth.transaction_id = txn;
  const txnLabel = wallet === 'wechat' ? pick(rnd, ['交易单号', '订单号', '微信订单号', '支付单号']) : pick(rnd, ['交易单号', '订单号', '支付宝交易号', '交易号']);
  put(txnLabel, txn);
  if (refund) put(pick(rnd, ['退款单号', '退款流水号']), wallet === 'wechat' ? `50300${digits(rnd, 24)}` : `${ymd(w_, '')}${digits(rnd, 12)}`);
  p.rule();

  const minor = chance(rnd, 0.3) ? 100 * (1 + int(rnd, 300)) : 100 + int(rnd, 60_000);
  const sym = weighted(rnd, p.halfYen ? [['¥', 4], ['￥', 2], ['元', 1], ['RMB', 1], ['', 1]] : [['￥', 5], ['元', 1], ['RMB', 1], ['', 1]]);
  tags.push(`currency:${sym || 'none'}`);
  const cur = (m: number): string => (sym === '元' ? `${money(m)}元` : sym === 'RMB' ? `RMB ${money(m)}` : `${sym}${money(m)}`);
  // A WeChat Pay / Alipay slip from a Chinese till is in yuan, sign or no sign.
  truth.currency = 'CNY';
  truth.amount_minor = minor;
  const line = (label: string, m: number, big = false): void => {
    const text = p.lr(`${label}${colon}`, cur(m)) ?? `${label}${colon}${cur(m)}`;
    p.line(text, big ? { bold: true, h: 2 } : {});
  };
  if (refund) line('退款金额', minor, true);
  else if (chance(rnd, 0.2)) {
    const discount = Math.min(minor - 1, 100 * (1 + int(rnd, 20)));
    line('订单金额', minor + discount);
    line(pick(rnd, ['优惠金额', '优惠']), discount);
    line(pick(rnd, ['实付金额', '实收金额']), minor, true);
    tags.push('discount');
  } else line(pick(rnd, ['金额', '实付金额', '支付金额', '交易金额']), minor, chance(rnd, 0.6));
  p.rule();
  if (chance(rnd, 0.5)) p.b.align('center').qr(`https://pay.example.cn/o/${order}`, 4).align('left');
  p.centered(pick(rnd, ['谢谢惠顾', '欢迎再次光临', '请妥善保管此凭证']));
  return { bytes: p.finish(rnd), truth, lines: p.lines, tags, kind: wallet };
}

/**
 * English EMV card slips as Verifone, Ingenico and PAX terminals print them in the US, Europe and
 * Asia: merchant block, MID/TID, batch and invoice/STAN/trace, RRN, approval code, masked card
 * with brand and entry mode, AID, BASE/TIP/TOTAL, dates in the region's order.
 */
import type { TransType } from '../../src/receipt/fields/types.js';
import {
  ampm,
  chance,
  digits,
  group4,
  hm,
  hms,
  int,
  iso,
  maskPan,
  money,
  MONTHS,
  pad,
  pan,
  Paper,
  pick,
  type Rnd,
  weighted,
  when,
  amount as randomAmount,
} from './kit.js';
import type { Draft, Truth } from './types.js';

type Region = 'US' | 'EU' | 'UK' | 'SG' | 'HK' | 'MY';

const SHOPS: Record<Region, readonly (readonly string[])[]> = {
  US: [
    ['FRESH & CO', '88 MARKET ST', 'SAN FRANCISCO, CA 94105'],
    ['QUICK STOP #4127', '1402 ELM AVE', 'AUSTIN, TX 78701'],
    ["JOE'S DINER", '220 W 42ND ST', 'NEW YORK, NY 10036'],
    ['BLUE BOTTLE COFFEE', '1 FERRY BUILDING', 'SAN FRANCISCO CA'],
    ['SUNSET LIQUORS', '7710 SUNSET BLVD', 'LOS ANGELES CA 90046'],
  ],
  EU: [
    ['CAFE DE FLORE', '172 BD SAINT-GERMAIN', '75006 PARIS'],
    ['BAECKEREI MUELLER', 'HAUPTSTRASSE 14', '10115 BERLIN'],
    ['HET BRUINE CAFE', 'PRINSENGRACHT 114', '1015 EA AMSTERDAM'],
    ['TRATTORIA DA MARIO', 'VIA DEI SERPENTI 50', '00184 ROMA'],
  ],
  UK: [
    ['THE RED LION', '48 PARLIAMENT ST', 'LONDON SW1A 2NH'],
    ['CORNER MARKET', '12 HIGH STREET', 'OXFORD OX1 4AA'],
  ],
  SG: [
    ['THE DAILY GRIND', '5 ORCHARD RD #01-12', 'SINGAPORE 238823'],
    ['KOPI TIAM PTE LTD', '1 RAFFLES PLACE', 'SINGAPORE 048616'],
  ],
  HK: [
    ['KOWLOON BAKERY', '233 NATHAN ROAD', 'KOWLOON, HONG KONG'],
    ['LAN FONG YUEN', '2 GAGE STREET', 'CENTRAL, HONG KONG'],
  ],
  MY: [['MAMAK CORNER SDN BHD', 'JALAN BUKIT BINTANG', '55100 KUALA LUMPUR']],
};

interface Brand {
  readonly name: string;
  readonly prefix: readonly string[];
  readonly len: number;
  readonly aid: string;
  readonly app: string;
}

const BRANDS: readonly Brand[] = [
  { name: 'VISA', prefix: ['4761', '4111', '4539', '4024'], len: 16, aid: 'A0000000031010', app: 'VISA CREDIT' },
  { name: 'MASTERCARD', prefix: ['5412', '5500', '2221', '5204'], len: 16, aid: 'A0000000041010', app: 'MASTERCARD' },
  { name: 'AMEX', prefix: ['3714', '3782', '3400'], len: 15, aid: 'A000000025010801', app: 'AMERICAN EXPRESS' },
  { name: 'DISCOVER', prefix: ['6011'], len: 16, aid: 'A0000001523010', app: 'DISCOVER' },
  { name: 'UNIONPAY', prefix: ['6250', '6228'], len: 16, aid: 'A000000333010101', app: 'UNIONPAY DEBIT' },
  { name: 'JCB', prefix: ['3528', '3566'], len: 16, aid: 'A0000000651010', app: 'JCB CREDIT' },
];

type EmvType = Exclude<TransType, 'balance' | 'settlement' | 'other' | 'preauth_void'>;
const TYPE_TEXT: Record<EmvType, readonly string[]> = {
  sale: ['SALE', 'SALE', 'PURCHASE', 'CREDIT SALE'],
  void: ['VOID', 'VOID SALE'],
  refund: ['REFUND', 'RETURN'],
  preauth: ['PRE-AUTH', 'PREAUTH', 'PRE-AUTHORIZATION'],
  preauth_complete: ['COMPLETION', 'PRE-AUTH COMPLETION'],
};

function currencyOf(region: Region): string {
  return { US: 'USD', EU: 'EUR', UK: 'GBP', SG: 'SGD', HK: 'HKD', MY: 'MYR' }[region];
}

/** The amount as the region's terminals print it. */
function formatAmount(region: Region, style: number, minor: number, neg: boolean, euroSign: boolean): string {
  const comma = region === 'EU' && style % 2 === 0;
  const m = money(minor, { comma, thousands: minor >= 100_000 && style % 3 === 0 });
  const n = neg ? '-' : '';
  switch (region) {
    case 'US':
      return [`$${n}${m}`, `USD ${n}${m}`, `${n}$${m}`, `USD$${n}${m}`][style % 4]!;
    case 'EU':
      return euroSign ? [`€${n}${m}`, `€ ${n}${m}`, `${n}${m} €`][style % 3]! : [`EUR ${n}${m}`, `${n}${m} EUR`][style % 2]!;
    case 'UK':
      return euroSign ? [`£${n}${m}`, `${n}£${m}`][style % 2]! : `GBP ${n}${m}`;
    case 'SG':
      return [`S$${n}${m}`, `SGD ${n}${m}`, `SGD${n}${m}`][style % 3]!;
    case 'HK':
      return [`HK$${n}${m}`, `HKD ${n}${m}`][style % 2]!;
    case 'MY':
      return [`RM${n}${m}`, `MYR ${n}${m}`][style % 2]!;
  }
}

export function emvSlip(rnd: Rnd, opts: { fault: boolean }): Draft {
  const tags: string[] = [];
  const truth: Truth = {};
  const region = weighted<Region>(rnd, [['US', 35], ['EU', 20], ['UK', 8], ['SG', 15], ['HK', 14], ['MY', 8]]);
  const width = weighted(rnd, [[32, 4], [42, 3], [48, 3]] as const);
  const symbol = (region === 'EU' || region === 'UK') && chance(rnd, 0.65);
  const p = new Paper(width, symbol ? 'cp858' : 'ascii');
  const vendor = weighted(rnd, [['verifone', 4], ['ingenico', 3], ['pax', 3]] as const);
  tags.push(`region:${region}`, `w${width}`, `vendor:${vendor}`, symbol ? 'cp858' : 'ascii');
  const w_ = when(rnd);

  // ---- merchant block
  const shop = pick(rnd, SHOPS[region]);
  truth.merchant_name = shop[0]!;
  if (chance(rnd, 0.5)) p.centered(shop[0]!, { bold: true, w: p.fits(shop[0]!, 2) ? 2 : 1, h: 2 });
  else p.centered(shop[0]!, { bold: chance(rnd, 0.5) });
  for (const l of shop.slice(1)) p.centered(l);
  if (chance(rnd, 0.5)) p.centered(region === 'US' ? `TEL (${digits(rnd, 3)}) 555-${digits(rnd, 4)}` : `TEL ${digits(rnd, 4)} ${digits(rnd, 4)}`);
  p.blank();

  // One terminal lays every row out the same way: value against the right edge, or after the label.
  const aligned = vendor === 'verifone' || chance(rnd, 0.5);
  tags.push(aligned ? 'rows:aligned' : 'rows:inline');
  const row = (label: string, value: string): void => {
    const both = aligned ? p.lr(label, value) : null;
    if (both) p.line(both);
    else if (p.fits(`${label} ${value}`)) p.line(`${label} ${value}`);
    else p.line(label).line(value, { align: 'right' });
  };
  const pairRow = (a: string, b: string): void => {
    const both = p.lr(a, b, 2);
    if (both) p.line(both);
    else p.line(a).line(b);
  };

  const mid = weighted(rnd, [[`0000${digits(rnd, 11)}`, 3], [digits(rnd, 15), 2], [digits(rnd, 12), 2], [`${digits(rnd, 9)}`, 1]] as const);
  const tid = weighted(rnd, [[digits(rnd, 8), 4], [`T${digits(rnd, 7)}`, 1], [`000${digits(rnd, 5)}`, 2]] as const);
  truth.merchant_id = mid;
  truth.terminal_id = tid;
  const midL = pick(rnd, ['MID:', 'MID', 'MERCHANT ID:', 'MERCHANT #:', 'MERCH ID:']);
  const tidL = pick(rnd, ['TID:', 'TID', 'TERMINAL ID:', 'TERM ID:', 'TERMINAL #:']);
  if (width >= 42 && chance(rnd, 0.4)) pairRow(`${midL}${midL.endsWith(':') ? '' : ' '}${mid}`, `${tidL}${tidL.endsWith(':') ? '' : ' '}${tid}`);
  else {
    row(midL, mid);
    row(tidL, tid);
  }

  const batch = chance(rnd, 0.8) ? pad(1 + int(rnd, 999), 6) : String(1 + int(rnd, 999));
  const trace = pad(1 + int(rnd, 99999), 6);
  truth.batch_no = batch;
  truth.trace_no = trace;
  const traceKind = weighted(rnd, [['INVOICE', 4], ['STAN', 3], ['TRACE', 3]] as const);
  tags.push(`trace:${traceKind}`);
  const batchL = pick(rnd, ['BATCH:', 'BATCH NO:', 'BATCH #:', 'BATCH']);
  const traceL = { INVOICE: ['INVOICE:', 'INV:', 'INVOICE #:', 'INVOICE NO:'], STAN: ['STAN:', 'STAN'], TRACE: ['TRACE:', 'TRACE NO:', 'TRACE #:'] }[traceKind];
  const tl = pick(rnd, traceL);
  if (chance(rnd, 0.5)) pairRow(`${batchL}${batchL.endsWith(':') ? ' ' : ' '}${batch}`, `${tl} ${trace}`);
  else {
    row(batchL, batch);
    row(tl, trace);
  }
  p.blank();

  // ---- transaction type headline
  const type = opts.fault
    ? 'sale'
    : weighted<EmvType>(rnd, [['sale', 70], ['void', 8], ['refund', 10], ['preauth', 8], ['preauth_complete', 4]]);
  truth.trans_type = type;
  tags.push(`type:${type}`);
  const headline = pick(rnd, TYPE_TEXT[type]);
  p.centered(headline, { bold: true, w: p.fits(headline, 2) && chance(rnd, 0.5) ? 2 : 1, h: 2 });

  // ---- card
  const brand = weighted(rnd, BRANDS.map((b, i) => [b, [40, 30, 10, 5, 10, 5][i]!] as const));
  const card = pan(rnd, pick(rnd, brand.prefix), brand.len);
  const maskStyle = weighted(rnd, [['stars', 5], ['X', 3], ['spaced', 2], ['first6', 2], ['full', 0.6]] as const);
  tags.push(`card:${maskStyle}`);
  let printed: string;
  if (maskStyle === 'full') {
    printed = card;
    truth.card_number = maskPan(card);
  } else if (maskStyle === 'first6') {
    printed = region === 'SG' || region === 'HK' || region === 'MY' ? group4(maskPan(card)) : maskPan(card);
    truth.card_number = maskPan(card);
  } else {
    const stars = '*'.repeat(card.length - 4) + card.slice(-4);
    truth.card_number = stars;
    if (maskStyle === 'X') printed = 'X'.repeat(card.length - 4) + card.slice(-4);
    else if (maskStyle === 'spaced') printed = group4(stars);
    else printed = stars;
  }
  const cardForm = weighted(rnd, [['brand', 5], ['label', 3], ['two-line', 2]] as const);
  if (cardForm === 'brand') {
    const both = p.lr(brand.name, printed);
    if (both) p.line(both);
    else p.line(brand.name).line(printed);
  } else if (cardForm === 'label') {
    const l = pick(rnd, ['CARD:', 'CARD NO:', 'ACCT:', 'CARD #:']);
    const both = p.lr(l, printed);
    p.line(both ?? `${l}${printed}`);
    if (chance(rnd, 0.5)) p.line(`CARD TYPE: ${brand.name}`);
  } else {
    p.line(brand.app).line(printed);
  }

  const entry = weighted(rnd, [
    ['CHIP', 5],
    ['CONTACTLESS', 5],
    ['SWIPE', 1],
    ['SWIPED', 1],
    ['Chip', 1],
    ['Contactless', 1],
    ['', 3],
  ] as const);
  if (entry) {
    truth.entry_mode = entry;
    tags.push('entry');
    const form = weighted(rnd, [['ENTRY MODE:', 3], ['ENTRY:', 2], ['ENTRY METHOD:', 1], ['', 2]] as const);
    if (form === '') p.line(entry);
    else p.line(p.lr(form, entry) ?? `${form} ${entry}`);
  }

  // ---- date and time, in the region's order
  const dateForm = region === 'US'
    ? weighted(rnd, [['us-mdy', 3], ['mon-dd-yy', 3], ['us-ampm', 2]] as const)
    : region === 'EU'
      ? weighted(rnd, [['dmy-labels', 3], ['dmy-dots', 2], ['dmy-short', 2]] as const)
      : weighted(rnd, [['dmy-labels', 3], ['iso', 2], ['dd-mon-yyyy', 2], ['mon-dd-yy', 2], ['dmy-short', 1]] as const);
  tags.push(`date:${dateForm}`);
  const yy = pad(w_.y % 100, 2);
  const dd = pad(w_.d, 2);
  const mm = pad(w_.mo, 2);
  let seconds = true;
  let dateLines: string[];
  switch (dateForm) {
    case 'us-mdy':
      dateLines = [`DATE: ${mm}/${dd}/${yy}`, `TIME: ${hms(w_)}`];
      break;
    case 'mon-dd-yy':
      seconds = false;
      dateLines = [`${MONTHS[w_.mo - 1]} ${dd}, ${yy} ${hm(w_)}`];
      break;
    case 'us-ampm':
      seconds = chance(rnd, 0.5);
      dateLines = [`${mm}/${dd}/${w_.y} ${ampm(w_, seconds)}`];
      break;
    case 'dmy-labels':
      dateLines = [`DATE: ${dd}/${mm}/${w_.y}`, `TIME: ${hms(w_)}`];
      break;
    case 'dmy-dots':
      seconds = false;
      dateLines = [`${dd}.${mm}.${w_.y} ${hm(w_)}`];
      break;
    case 'dmy-short':
      dateLines = [`${dd}/${mm}/${yy} ${hms(w_)}`];
      break;
    case 'iso':
      dateLines = [`DATE/TIME: ${w_.y}-${mm}-${dd} ${hms(w_)}`];
      break;
    case 'dd-mon-yyyy':
      seconds = false;
      dateLines = [`${dd} ${MONTHS[w_.mo - 1]} ${w_.y} ${hm(w_)}`];
      break;
  }
  truth.datetime = iso(w_, seconds);
  if (dateLines.length === 2) pairRow(dateLines[0]!, dateLines[1]!);
  else p.line(dateLines[0]!);

  // ---- ids from the host
  const rrn = `${yy.slice(1)}${pad(Math.floor((Date.UTC(w_.y, w_.mo - 1, w_.d) - Date.UTC(w_.y, 0, 0)) / 864e5), 3)}${pad(w_.h, 2)}${digits(rnd, 6)}`;
  if (!opts.fault || chance(rnd, 0.5)) {
    truth.reference_no = rrn;
    row(pick(rnd, ['RRN:', 'REF NO:', 'REF #:', 'REF. NO.', 'RREF NUM:']), rrn);
  }
  if (!opts.fault) {
    const auth = chance(rnd, 0.7) ? digits(rnd, 6) : `${digits(rnd, 2)}${pick(rnd, ['A', 'K', 'Z', 'P'])}${digits(rnd, 1)}${pick(rnd, ['B', 'X', 'C'])}${digits(rnd, 1)}`;
    truth.auth_code = auth;
    row(pick(rnd, ['APPR CODE:', 'AUTH CODE:', 'APPROVAL:', 'AUTH NO:', 'APPROVAL CODE:']), auth);
  }
  if (entry.toUpperCase() !== 'SWIPE' && entry.toUpperCase() !== 'SWIPED' && chance(rnd, 0.75)) {
    truth.aid = brand.aid;
    row('AID:', brand.aid);
    if (chance(rnd, 0.6)) row('APP:', brand.app);
    if (chance(rnd, 0.5)) row('TVR:', pick(rnd, ['0000008000', '0080008000', '0000000000']));
    if (chance(rnd, 0.4)) row('TSI:', pick(rnd, ['E800', 'F800', '6800']));
    if (chance(rnd, 0.3)) row('TC:', `${digits(rnd, 4)}A${digits(rnd, 3)}F${digits(rnd, 3)}C${digits(rnd, 3)}`);
  }
  p.blank();

  // ---- amounts
  const style = int(rnd, 12);
  const neg = (type === 'void' || type === 'refund') && chance(rnd, 0.5);
  const fmt = (minor: number, n = neg): string => formatAmount(region, style, minor, n, symbol);
  const base = randomAmount(rnd);
  truth.currency = currencyOf(region);
  const tipForm = type === 'sale' && !opts.fault && (region === 'US' || region === 'HK' || region === 'SG') ? weighted(rnd, [['none', 5], ['filled', 3], ['blank', 1], ['zero', 1]] as const) : 'none';
  tags.push(`tip:${tipForm}`, `amount:${fmt(base, false).replace(/\d[\d.,]*\d/, '9.99')}`);
  if (/\d,\d\d$/.test(fmt(base, false).replace(/\s*(?:€|EUR)$/, ''))) tags.push('amount:decimal-comma');
  if (neg) tags.push('amount:negative');
  const bigTotal = chance(rnd, 0.4);
  const amountRow = (label: string, value: string, big = false): void => {
    if (big) {
      const w = p.width;
      const both = p.lr(label, value);
      if (both && label.length + value.length * 2 + 1 <= w && chance(rnd, 0.5)) {
        p.mixed(label + ' '.repeat(w - label.length - value.length * 2), value, { w: 2, h: 2, bold: true });
      } else if (both) p.line(both, { bold: true, h: 2 });
      else p.line(label).line(value, { align: 'right', bold: true });
      return;
    }
    row(label, value);
  };
  if (tipForm === 'none') {
    const label = type === 'preauth' ? pick(rnd, ['AUTH AMOUNT', 'AMOUNT', 'AMT']) : pick(rnd, ['TOTAL', 'AMOUNT', 'TOTAL:', 'AMOUNT:', 'TOTAL AMOUNT', 'AMT']);
    amountRow(label, fmt(base), bigTotal);
    truth.amount_minor = base;
  } else if (tipForm === 'filled' || tipForm === 'zero') {
    const tip = tipForm === 'zero' ? 0 : Math.round((base * pick(rnd, [10, 15, 18, 20])) / 100);
    amountRow(pick(rnd, ['BASE', 'AMOUNT', 'SUBTOTAL', 'BASE AMT']), fmt(base));
    amountRow(pick(rnd, ['TIP', 'TIPS', 'GRATUITY']), fmt(tip));
    p.line('-'.repeat(Math.min(12, width)), { align: 'right' });
    amountRow('TOTAL', fmt(base + tip), bigTotal);
    truth.amount_minor = base + tip;
    truth.tip_minor = tip;
  } else {
    // A slip printed before the tip is written in: the only amount printed is the base.
    amountRow(pick(rnd, ['BASE', 'AMOUNT', 'BASE AMT']), fmt(base));
    p.line('TIP:   ____________').blank().line('TOTAL: ____________');
    truth.amount_minor = base;
  }
  p.blank();

  // ---- outcome, signature, copy
  if (opts.fault) {
    truth.fault = true;
    tags.push('fault');
    p.centered(pick(rnd, ['DECLINED', 'TRANSACTION DECLINED', 'NOT APPROVED', '*** DECLINED ***']), { bold: true, h: 2 });
    p.centered(pick(rnd, ['RESP CODE: 05', 'DO NOT HONOR (05)', 'INSUFFICIENT FUNDS (51)', 'CODE 55 INCORRECT PIN']));
  } else {
    if (chance(rnd, 0.6)) p.centered(pick(rnd, ['APPROVED', 'APPROVED - THANK YOU', '(00) APPROVED']), { bold: true });
  }
  const copy = weighted(rnd, [['merchant', 45], ['cardholder', 45], [null, 10]] as const);
  const reprint = !opts.fault && chance(rnd, 0.08);
  if (reprint) {
    truth.reprint = true;
    tags.push('reprint');
    p.centered(pick(rnd, ['*** DUPLICATE ***', 'DUPLICATE', 'REPRINT', '** REPRINT **']), { bold: true });
  }
  if (!opts.fault) {
    if (chance(rnd, 0.35)) p.centered(pick(rnd, ['NO SIGNATURE REQUIRED', 'PIN VERIFIED', 'NO CVM REQUIRED']));
    else if (copy === 'merchant') {
      p.blank(2).line('X' + '_'.repeat(Math.min(28, width - 4)));
      p.centered(pick(rnd, ['CARDHOLDER SIGNATURE', 'SIGNATURE', 'CUSTOMER SIGNATURE']));
    }
    if (chance(rnd, 0.6)) {
      for (const l of ['I AGREE TO PAY ABOVE TOTAL AMOUNT', 'ACCORDING TO CARD ISSUER AGREEMENT']) if (p.fits(l)) p.centered(l);
    }
  }
  if (copy) {
    truth.copy = copy;
    tags.push(`copy:${copy}`);
    const text = copy === 'merchant' ? pick(rnd, ['MERCHANT COPY', '-- MERCHANT COPY --', '*** MERCHANT COPY ***']) : pick(rnd, ['CUSTOMER COPY', 'CARDHOLDER COPY', '-- CUSTOMER COPY --', '*** CARDHOLDER COPY ***']);
    p.centered(text);
  }
  if (chance(rnd, 0.4)) {
    const bye = pick(rnd, ['THANK YOU', 'THANK YOU, PLEASE COME AGAIN', 'PLEASE RETAIN FOR YOUR RECORDS']);
    if (p.fits(bye)) p.centered(bye);
  }
  return { bytes: p.finish(rnd), truth, lines: p.lines, tags, kind: 'emv' };
}

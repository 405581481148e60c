/**
 * Statement files for the importers' tests and for trying them by hand: WeChat Pay bills, Alipay
 * business details, acquirer POS statements (Chinese and English, GBK / UTF-8 with and without a
 * BOM), files for the shipped generic mappings, and POS sales logs (CSV, JSON, JSON Lines).
 *
 * Each generator draws transactions from a seeded PRNG, writes them in the format's own spelling
 * and returns the bytes together with the rows the importer must read back (`expected`: every
 * StatementTxn field but `raw`, and the line each row is on). The writing is done here, apart from
 * the importers' code, so that a round trip tests one against the other.
 *
 *   node dist/scripts/gen/statements.js --out DIR [--seed N] [--rows N]    writes a sample of each
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import type { TransType } from '../../src/receipt/fields/types.js';
import type { StatementTxn } from '../../src/server/statement.js';
import { loadMapping, type StatementMapping } from '../../src/server/importers/mapping.js';
import { prng } from '../lib/prng.js';
import { BANKS, CN_GOODS, CN_MERCHANTS, PEOPLE_CN, PEOPLE_EN } from './data.js';
import { amount, chance, digits, int, maskPan, pad, pan, pick, type Rnd, weighted } from './kit.js';

/** A row the importer must produce (raw aside). */
export type ExpectedTxn = Omit<StatementTxn, 'raw'>;

export type FileEncoding = 'utf-8' | 'utf-8-bom' | 'gbk';

export interface GeneratedStatement {
  /** A file name for it: says the format and the variant. */
  readonly name: string;
  /** The importer to read it with (parseStatement's first argument). */
  readonly format: 'wechat' | 'alipay' | 'acquirer-csv' | 'generic' | 'sales-log';
  /** For `generic`: the shipped mapping it is written for. */
  readonly mapping?: string;
  readonly bytes: Buffer;
  readonly encoding: FileEncoding;
  readonly language: 'zh' | 'en';
  readonly merchant_id?: string;
  readonly date_from: string;
  readonly date_to: string;
  readonly expected: readonly ExpectedTxn[];
  /** For the malformed-cell tests: the header name of the amount column and the data lines. */
  readonly amountColumn: string;
}

/** Changes a test asks for: a cell replaced, a summary figure off by one unit, line endings. */
export interface Variation {
  readonly rows?: number;
  readonly crlf?: boolean;
  /** Replace one data cell: the `row`-th data row (0-based), column by header name. */
  readonly override?: { readonly row: number; readonly column: string; readonly value: string };
  /** WeChat / Alipay: make the file's own totals disagree with its rows. */
  readonly tamper?: 'count' | 'amount';
}

// ---- writing ---------------------------------------------------------------------------------

/** A text file built line by line: knows each line's number and writes it in an encoding. */
class Sheet {
  readonly lines: string[] = [];

  /** Append a line; its 1-based number. */
  add(line: string): number {
    this.lines.push(line);
    return this.lines.length;
  }

  bytes(encoding: FileEncoding, crlf = false): Buffer {
    const text = this.lines.join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '\n');
    if (encoding === 'gbk') return iconv.encode(text, 'gbk');
    const body = Buffer.from(text, 'utf8');
    return encoding === 'utf-8-bom' ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
  }
}

/** One delimited line, quoting a cell only when it must (delimiter, quote, line break). */
function csvLine(cells: readonly string[], delimiter = ','): string {
  return cells.map((c) => (c.includes(delimiter) || c.includes('"') || /[\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(delimiter);
}

/** Minor units as a statement prints them: 12810 → "128.10", -1 → "-0.01", grouped "1,234.50". */
export function yuan(minor: number, opts: { group?: string; decimal?: string } = {}): string {
  const neg = minor < 0;
  const abs = Math.abs(minor);
  let whole = String(Math.floor(abs / 100));
  if (opts.group) whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, opts.group);
  return `${neg ? '-' : ''}${whole}${opts.decimal ?? '.'}${pad(abs % 100, 2)}`;
}

/** Cells by header name → the line in header order (absent cells empty); applies an override. */
function row(header: readonly string[], cells: Record<string, string>, index: number, v: Variation): string[] {
  if (v.override && v.override.row === index) {
    if (!header.includes(v.override.column)) throw new Error(`no column ${v.override.column} to override`);
    cells[v.override.column] = v.override.value;
  }
  return header.map((h) => cells[h] ?? '');
}

/** Drop undefined members, as the importers leave absent fields absent. */
function clean(t: Record<string, unknown>): ExpectedTxn {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t)) if (v !== undefined) out[k] = v;
  return out as unknown as ExpectedTxn;
}

// ---- time ------------------------------------------------------------------------------------

interface Clock {
  readonly y: number;
  readonly mo: number;
  readonly d: number;
  readonly h: number;
  readonly mi: number;
  readonly s: number;
}

/** Times through a business day (or a few), in order. */
function clockFrom(rnd: Rnd, days = 1): { next: () => Clock; start: Clock } {
  const y = pick(rnd, [2025, 2026, 2026, 2027]);
  const mo = 1 + int(rnd, 12);
  const d = 1 + int(rnd, 25);
  let t = Date.UTC(y, mo - 1, d, 7, int(rnd, 60), int(rnd, 60));
  const end = Date.UTC(y, mo - 1, d + days - 1, 22, 0, 0);
  const start = toClock(t);
  return {
    start,
    next: () => {
      t = Math.min(t + (20 + int(rnd, 900)) * 1000 * (days > 1 ? 6 : 1), end);
      return toClock(t);
    },
  };
}

function toClock(ms: number): Clock {
  const x = new Date(ms);
  return { y: x.getUTCFullYear(), mo: x.getUTCMonth() + 1, d: x.getUTCDate(), h: x.getUTCHours(), mi: x.getUTCMinutes(), s: x.getUTCSeconds() };
}

const later = (c: Clock, seconds: number): Clock => toClock(Date.UTC(c.y, c.mo - 1, c.d, c.h, c.mi, c.s) + seconds * 1000);
const isoOf = (c: Clock): string => `${c.y}-${pad(c.mo, 2)}-${pad(c.d, 2)}T${pad(c.h, 2)}:${pad(c.mi, 2)}:${pad(c.s, 2)}`;
const dateOf = (c: Clock, sep = '-'): string => `${c.y}${sep}${pad(c.mo, 2)}${sep}${pad(c.d, 2)}`;
const timeOf = (c: Clock, sep = ':'): string => `${pad(c.h, 2)}${sep}${pad(c.mi, 2)}${sep}${pad(c.s, 2)}`;
const span = (rows: readonly ExpectedTxn[]): { date_from: string; date_to: string } => {
  const days = rows.map((r) => r.datetime.slice(0, 10)).sort();
  return { date_from: days[0]!, date_to: days[days.length - 1]! };
};

const fee = (minor: number, perMille: number): number => Math.round((minor * perMille) / 1000);
/** Minus, without a -0 (which no importer gives back). */
const neg = (x: number): number => (x === 0 ? 0 : -x);

// ---- WeChat Pay ------------------------------------------------------------------------------

const WECHAT_HEADERS = {
  ALL: [
    '交易时间', '公众账号ID', '商户号', '特约商户号', '设备号', '微信订单号', '商户订单号', '用户标识', '交易类型', '交易状态', '付款银行',
    '货币种类', '应结订单金额', '代金券金额', '微信退款单号', '商户退款单号', '退款金额', '充值券退款金额', '退款类型', '退款状态', '商品名称',
    '商户数据包', '手续费', '费率', '订单金额', '申请退款金额', '费率备注',
  ],
  SUCCESS: [
    '交易时间', '公众账号ID', '商户号', '特约商户号', '设备号', '微信订单号', '商户订单号', '用户标识', '交易类型', '交易状态', '付款银行',
    '货币种类', '应结订单金额', '代金券金额', '商品名称', '商户数据包', '手续费', '费率', '订单金额', '费率备注',
  ],
  REFUND: [
    '交易时间', '公众账号ID', '商户号', '特约商户号', '设备号', '微信订单号', '商户订单号', '用户标识', '交易类型', '交易状态', '付款银行',
    '货币种类', '应结订单金额', '代金券金额', '退款申请时间', '退款成功时间', '微信退款单号', '商户退款单号', '退款金额', '充值券退款金额',
    '退款类型', '退款状态', '商品名称', '商户数据包', '手续费', '费率', '订单金额', '申请退款金额', '费率备注',
  ],
} as const;
const WECHAT_SUMMARY = ['总交易单数', '应结订单总金额', '退款总金额', '充值券退款总金额', '手续费总金额', '订单总金额', '申请退款总金额'] as const;

export type WechatBillType = keyof typeof WECHAT_HEADERS;

export function wechatBill(seed: number, opts: Variation & { billType?: WechatBillType; bom?: boolean } = {}): GeneratedStatement {
  const rnd = prng(seed);
  const billType = opts.billType ?? 'ALL';
  const header: readonly string[] = WECHAT_HEADERS[billType];
  const n = opts.rows ?? 12;
  const sheet = new Sheet();
  sheet.add(header.join(','));
  const clock = clockFrom(rnd);
  const mch = `1${digits(rnd, 9)}`;
  const sub = chance(rnd, 0.5) ? `1${digits(rnd, 9)}` : '0';
  const merchant = sub !== '0' ? sub : mch;
  const appid = `wx${digits(rnd, 16)}`;
  const devices = ['', `POS${pad(1 + int(rnd, 9), 2)}`, `POS${pad(10 + int(rnd, 9), 2)}`];
  const expected: ExpectedTxn[] = [];
  const totals = { settle: 0, refund: 0, recharge: 0, fee: 0, order: 0, requested: 0 };
  const bt = (s: string): string => `\`${s}`;
  for (let i = 0; i < n; i++) {
    const kind: 'sale' | 'refund' | 'void' =
      billType === 'SUCCESS' ? 'sale' : billType === 'REFUND' ? 'refund' : weighted(rnd, [['sale', 7], ['refund', 2], ['void', 1]] as const);
    const at = clock.next();
    const order = amount(rnd);
    const coupon = kind === 'sale' && chance(rnd, 0.2) ? Math.floor(order / 5) : 0;
    const settle = order - coupon;
    const refund = kind === 'refund' ? (chance(rnd, 0.6) ? order : 1 + int(rnd, order)) : 0;
    const rowFee = kind === 'refund' ? neg(fee(refund, 6)) : kind === 'void' ? 0 : fee(settle, 6);
    const txid = `42000${digits(rnd, 23)}`;
    const orderNo = `${pick(rnd, ['P', 'WX', ''])}${digits(rnd, 14)}`;
    const device = pick(rnd, devices);
    const status = kind === 'sale' ? 'SUCCESS' : kind === 'refund' ? 'REFUND' : 'REVOKED';
    const refundId = kind === 'refund' ? `50${digits(rnd, 27)}` : '';
    const merchantRefund = kind === 'refund' ? `R${digits(rnd, 12)}` : '';
    // A REFUND bill gives the original payment's time as 交易时间 and the refund's beside it.
    const paid = billType === 'REFUND' ? later(at, -(600 + int(rnd, 86_400 * 3))) : at;
    const cells: Record<string, string> = {
      交易时间: `${dateOf(paid)} ${timeOf(paid)}`,
      公众账号ID: appid,
      商户号: mch,
      特约商户号: sub,
      设备号: device,
      微信订单号: txid,
      商户订单号: orderNo,
      用户标识: `o${digits(rnd, 6)}${pick(rnd, ['Ab', 'xY', 'Qq'])}${digits(rnd, 18)}`,
      交易类型: pick(rnd, ['MICROPAY', 'NATIVE', 'JSAPI']),
      交易状态: status,
      付款银行: pick(rnd, ['OTHERS', 'CMB_DEBIT', 'ICBC_CREDIT', 'CFT']),
      货币种类: 'CNY',
      应结订单金额: yuan(settle),
      代金券金额: yuan(coupon),
      退款申请时间: kind === 'refund' ? `${dateOf(at)} ${timeOf(at)}` : '',
      退款成功时间: kind === 'refund' ? `${dateOf(at)} ${timeOf(later(at, 3))}` : '',
      微信退款单号: refundId || '0',
      商户退款单号: merchantRefund || '0',
      退款金额: yuan(refund),
      充值券退款金额: yuan(0),
      退款类型: kind === 'refund' ? 'ORIGINAL' : '',
      退款状态: kind === 'refund' ? 'SUCCESS' : '',
      商品名称: pick(rnd, CN_GOODS)[0],
      商户数据包: chance(rnd, 0.3) ? `table=${1 + int(rnd, 30)}` : '',
      手续费: yuan(rowFee),
      费率: '0.60%',
      订单金额: yuan(order),
      申请退款金额: yuan(refund),
      费率备注: '',
    };
    const line = sheet.add(row(header, cells, i, opts).map(bt).join(','));
    totals.settle += settle;
    totals.refund += refund;
    totals.fee += rowFee;
    totals.order += order;
    totals.requested += refund;
    const isRefund = kind === 'refund';
    expected.push(
      clean({
        line,
        source: 'wechat',
        merchant_id: merchant,
        terminal_id: device || undefined,
        datetime: isoOf(at),
        trans_type: kind,
        amount_minor: isRefund ? refund : order,
        currency: 'CNY',
        fee_minor: rowFee,
        settle_minor: isRefund ? -refund : settle,
        transaction_id: txid,
        merchant_order_no: orderNo,
        original_transaction_id: isRefund ? txid : undefined,
        refund_no: isRefund ? refundId : undefined,
        merchant_refund_no: isRefund ? merchantRefund : undefined,
        status,
      }),
    );
  }
  const sums: Record<(typeof WECHAT_SUMMARY)[number], string> = {
    总交易单数: String(n + (opts.tamper === 'count' ? 1 : 0)),
    应结订单总金额: yuan(totals.settle + (opts.tamper === 'amount' ? 1 : 0)),
    退款总金额: yuan(totals.refund),
    充值券退款总金额: yuan(totals.recharge),
    手续费总金额: yuan(totals.fee),
    订单总金额: yuan(totals.order),
    申请退款总金额: yuan(totals.requested),
  };
  sheet.add(WECHAT_SUMMARY.join(','));
  sheet.add(WECHAT_SUMMARY.map((k) => bt(sums[k])).join(','));
  const encoding: FileEncoding = opts.bom ? 'utf-8-bom' : 'utf-8';
  return {
    name: `wechat-${billType.toLowerCase()}${opts.bom ? '-bom' : ''}${opts.crlf ? '-crlf' : ''}.csv`,
    format: 'wechat',
    bytes: sheet.bytes(encoding, opts.crlf),
    encoding,
    language: 'zh',
    merchant_id: merchant,
    ...span(expected),
    expected,
    amountColumn: '订单金额',
  };
}

// ---- Alipay ----------------------------------------------------------------------------------

const ALIPAY_HEADER = [
  '支付宝交易号', '商户订单号', '业务类型', '商品名称', '创建时间', '完成时间', '门店编号', '门店名称', '操作员', '终端号', '对方账户',
  '订单金额（元）', '商家实收（元）', '支付宝红包（元）', '集分宝（元）', '支付宝优惠（元）', '商家优惠（元）', '券核销金额（元）', '券名称',
  '商家红包消费金额（元）', '卡消费金额（元）', '退款批次号/请求号', '服务费（元）', '分润（元）', '备注',
] as const;

const cnDate = (c: Clock): string => `${c.y}年${pad(c.mo, 2)}月${pad(c.d, 2)}日 ${timeOf(c)}`;

export function alipayDetail(seed: number, opts: Variation & { encoding?: FileEncoding } = {}): GeneratedStatement {
  const rnd = prng(seed);
  const n = opts.rows ?? 12;
  const encoding = opts.encoding ?? 'gbk';
  const sheet = new Sheet();
  const account = `2088${digits(rnd, 12)}`;
  const clock = clockFrom(rnd);
  const start = clock.start;
  sheet.add('#支付宝业务明细查询');
  sheet.add(`#账号：[${account}]`);
  sheet.add(`#起始日期：[${cnDate({ ...start, h: 0, mi: 0, s: 0 })}]   终止日期：[${cnDate({ ...later({ ...start, h: 0, mi: 0, s: 0 }, 86400) })}]`);
  sheet.add(`#${'-'.repeat(41)}业务明细列表${'-'.repeat(40)}`);
  sheet.add(ALIPAY_HEADER.join(','));
  const stores = [[`${pad(1 + int(rnd, 99), 4)}`, pick(rnd, CN_MERCHANTS)], ['', '']] as const;
  const expected: ExpectedTxn[] = [];
  const sums = { 交易: { count: 0, received: 0, discount: 0 }, 退款: { count: 0, received: 0, discount: 0 } };
  const sales: string[] = [];
  for (let i = 0; i < n; i++) {
    const isRefund = i > 0 && chance(rnd, 0.25);
    const created = clock.next();
    const finished = later(created, 1 + int(rnd, 5));
    const order = amount(rnd);
    const discount = !isRefund && chance(rnd, 0.2) ? Math.floor(order / 10) : 0;
    const refund = isRefund ? (chance(rnd, 0.5) ? order : 1 + int(rnd, order)) : 0;
    const trade = isRefund && sales.length > 0 ? pick(rnd, sales) : `${dateOf(created, '')}22001${digits(rnd, 15)}`;
    if (!isRefund) sales.push(trade);
    const orderNo = `T${digits(rnd, 16)}`;
    const printedOrder = isRefund ? -refund : order;
    const received = isRefund ? -refund : order - discount;
    const serviceFee = isRefund ? fee(refund, 6) : neg(fee(order - discount, 6));
    const refundNo = isRefund ? `${dateOf(created, '')}${digits(rnd, 8)}` : '';
    const [storeId, storeName] = pick(rnd, stores);
    const operator = chance(rnd, 0.7) ? pick(rnd, PEOPLE_CN) : '';
    const terminal = chance(rnd, 0.6) ? `T${pad(1 + int(rnd, 20), 3)}` : '';
    // Real exports pad ids and some cells with tabs and spaces.
    const tab = (s: string): string => (s === '' ? s : `${s}\t`);
    const cells: Record<string, string> = {
      支付宝交易号: tab(trade),
      商户订单号: tab(orderNo),
      业务类型: isRefund ? '退款' : '交易',
      商品名称: pick(rnd, CN_GOODS)[0],
      创建时间: `${dateOf(created)} ${timeOf(created)}`,
      完成时间: `${dateOf(finished)} ${timeOf(finished)}`,
      门店编号: tab(storeId),
      门店名称: storeName,
      操作员: operator,
      终端号: tab(terminal),
      对方账户: `${pick(rnd, ['abc', 'lhy', '138'])}***@${pick(rnd, ['163.com', 'qq.com'])}`,
      '订单金额（元）': `${yuan(printedOrder)}${chance(rnd, 0.3) ? '  ' : ''}`,
      '商家实收（元）': yuan(received),
      '支付宝红包（元）': '0.00',
      '集分宝（元）': '0.00',
      '支付宝优惠（元）': '0.00',
      '商家优惠（元）': yuan(discount),
      '券核销金额（元）': '0.00',
      券名称: '',
      '商家红包消费金额（元）': '0.00',
      '卡消费金额（元）': '0.00',
      '退款批次号/请求号': tab(refundNo),
      '服务费（元）': yuan(serviceFee),
      '分润（元）': '0.00',
      备注: '',
    };
    const line = sheet.add(row(ALIPAY_HEADER, cells, i, opts).join(','));
    const s = sums[isRefund ? '退款' : '交易'];
    s.count++;
    s.received += received;
    s.discount += discount;
    expected.push(
      clean({
        line,
        source: 'alipay',
        merchant_id: account,
        terminal_id: terminal || undefined,
        datetime: isoOf(finished),
        trans_type: isRefund ? 'refund' : 'sale',
        amount_minor: Math.abs(printedOrder),
        currency: 'CNY',
        fee_minor: serviceFee,
        settle_minor: received,
        transaction_id: trade,
        merchant_order_no: orderNo,
        original_transaction_id: isRefund ? trade : undefined,
        refund_no: isRefund ? refundNo : undefined,
        operator_id: operator || undefined,
      }),
    );
  }
  const t = sums.交易;
  const r = sums.退款;
  sheet.add(`#${'-'.repeat(41)}业务明细列表结束${'-'.repeat(36)}`);
  const count = t.count + (opts.tamper === 'count' ? 1 : 0);
  const received = t.received + (opts.tamper === 'amount' ? 100 : 0);
  sheet.add(`#交易合计：${count}笔，商家实收共计：${yuan(received)}元，商家优惠共计：${yuan(t.discount)}元`);
  sheet.add(`#退款合计：${r.count}笔，商家实收共计：${yuan(r.received)}元，商家优惠共计：${yuan(r.discount)}元`);
  sheet.add(`#导出时间：[${cnDate(later(clock.start, 86400 + 3600 * 3))}]`);
  return {
    name: `alipay-${encoding}${opts.crlf ? '-crlf' : ''}.csv`,
    format: 'alipay',
    bytes: sheet.bytes(encoding, opts.crlf),
    encoding,
    language: 'zh',
    merchant_id: account,
    ...span(expected),
    expected,
    amountColumn: '订单金额（元）',
  };
}

// ---- acquirer POS statements -----------------------------------------------------------------

export interface AcquirerVariant extends Variation {
  readonly language?: 'zh' | 'en';
  readonly encoding?: FileEncoding;
  /** Date and time in two columns (交易日期 + 交易时间) rather than one. */
  readonly split?: boolean;
  /** Voids and refunds as negative amounts. */
  readonly negatives?: boolean;
  /** No type column: the sign alone tells refunds (implies negatives; only sales and refunds). */
  readonly noType?: boolean;
  /** `商户编号：…` lines before the header, and no merchant column. */
  readonly preamble?: boolean;
  /** A 合计 / Total line at the end. */
  readonly totals?: boolean;
  /** English amounts with thousands separators ("1,234.50", so quoted). */
  readonly grouped?: boolean;
  /** English dates month-first (11/20/2026) rather than ISO. */
  readonly usDates?: boolean;
  readonly days?: number;
}

const ACQ_TYPES: Record<'zh' | 'en', Record<Exclude<TransType, 'balance' | 'settlement' | 'other'>, string>> = {
  zh: { sale: '消费', void: '消费撤销', refund: '退货', preauth: '预授权', preauth_complete: '预授权完成', preauth_void: '预授权撤销' },
  en: { sale: 'SALE', void: 'VOID', refund: 'REFUND', preauth: 'PRE-AUTH', preauth_complete: 'PRE-AUTH COMPLETION', preauth_void: 'PRE-AUTH VOID' },
};

export function acquirerStatement(seed: number, v: AcquirerVariant = {}): GeneratedStatement {
  const rnd = prng(seed);
  const lang = v.language ?? 'zh';
  const encoding = v.encoding ?? (lang === 'zh' ? 'gbk' : 'utf-8');
  const negatives = v.negatives || v.noType;
  const n = v.rows ?? 15;
  const zh = lang === 'zh';
  const H = zh
    ? { mid: '商户号', name: '商户名称', tid: '终端号', date: '交易日期', time: '交易时间', type: '交易类型', batch: '批次号', trace: '凭证号',
        rrn: '参考号', auth: '授权码', card: '卡号', cardType: '卡类型', amount: '交易金额', fee: '手续费', net: '结算金额', otrace: '原凭证号', orrn: '原参考号' }
    : { mid: 'Merchant ID', name: 'Merchant Name', tid: 'Terminal ID', date: 'Date', time: 'Time', type: 'Type', batch: 'Batch', trace: 'Trace/STAN',
        rrn: 'RRN', auth: 'Auth Code', card: 'Card Number', cardType: 'Card Type', amount: 'Amount', fee: 'Fee', net: 'Net', otrace: 'Orig STAN', orrn: 'Orig RRN' };
  const dateTimeName = zh ? '交易时间' : 'Date/Time';
  const header: string[] = [
    ...(v.preamble ? [] : [H.mid]), H.name, H.tid,
    ...(v.split ? [H.date, H.time] : [dateTimeName]),
    ...(v.noType ? [] : [H.type]),
    H.batch, H.trace, H.rrn, H.auth, H.card, H.cardType, H.amount, H.fee, H.net, H.otrace, H.orrn,
  ];
  const mid = `898${pick(rnd, ['3100', '1000', '4410'])}${pick(rnd, ['5411', '5812', '5311'])}${digits(rnd, 4)}`;
  const merchantName = zh ? `${pick(rnd, CN_MERCHANTS).replace(/[()（）]/g, '')},总店` : `${pick(rnd, ['Fresh Mart', 'Corner Deli', 'Blue Cafe'])}, Main St`;
  const terminals = [`${digits(rnd, 8)}`, `${digits(rnd, 8)}`];
  const sheet = new Sheet();
  const clock = clockFrom(rnd, v.days ?? 1);
  if (v.usDates) {
    // Month-first dates are told apart only by a day above 12.
    if (clock.start.d <= 12) return acquirerStatement(seed + 7919, v);
  }
  if (v.preamble) {
    sheet.add(zh ? `商户名称：${merchantName.replace(',', '')}` : `Merchant: ${merchantName.replace(',', '')}`);
    sheet.add(zh ? `商户编号：${mid}` : `Merchant ID: ${mid}`);
    sheet.add(zh ? `对账日期：${dateOf(clock.start)}` : `Statement Date: ${dateOf(clock.start)}`);
    sheet.add('');
  }
  sheet.add(csvLine(header));
  const batch = pad(1 + int(rnd, 999), 6);
  let trace = 1 + int(rnd, 900_000);
  const done: { trace: string; rrn: string; amount: number; tid: string }[] = [];
  const expected: ExpectedTxn[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const type: Exclude<TransType, 'balance' | 'settlement' | 'other'> = v.noType
      ? (done.length > 0 && chance(rnd, 0.25) ? 'refund' : 'sale')
      : done.length === 0
        ? 'sale'
        : weighted(rnd, [['sale', 14], ['void', 2], ['refund', 2], ['preauth', 1], ['preauth_complete', 1], ['preauth_void', 1]] as const);
    const orig = type === 'void' || type === 'refund' || type === 'preauth_complete' || type === 'preauth_void' ? pick(rnd, done) : undefined;
    const amt = type === 'void' ? orig!.amount : type === 'refund' ? 1 + int(rnd, orig!.amount) : amount(rnd);
    const back = type === 'void' || type === 'refund';
    const signed = negatives && back ? -amt : amt;
    const rowFee = type.startsWith('preauth') && type !== 'preauth_complete' ? 0 : fee(amt, 5);
    const printedFee = negatives && back ? neg(rowFee) : rowFee;
    const net = signed - printedFee;
    const tid = orig?.tid ?? pick(rnd, terminals);
    const at = clock.next();
    const t = pad(trace++ % 1_000_000, 6);
    const rrn = digits(rnd, 12);
    const auth = chance(rnd, 0.8) ? `${digits(rnd, 4)}${pick(rnd, ['00', '3A', 'B7'])}` : '';
    const bank = pick(rnd, BANKS);
    const full = pan(rnd, pick(rnd, bank.bins), chance(rnd, 0.8) ? 16 : 19);
    const card = maskPan(full);
    const date = v.usDates ? `${pad(at.mo, 2)}/${pad(at.d, 2)}/${at.y}` : zh && chance(rnd, 0.5) ? dateOf(at, '') : dateOf(at, zh ? '/' : '-');
    const money = (m: number): string => (v.grouped ? yuan(m, { group: ',' }) : yuan(m));
    const cells: Record<string, string> = {
      [H.mid]: mid,
      [H.name]: merchantName,
      [H.tid]: tid,
      [H.type]: ACQ_TYPES[lang][type],
      [H.batch]: batch,
      [H.trace]: t,
      [H.rrn]: rrn,
      [H.auth]: auth,
      [H.card]: card,
      [H.cardType]: zh ? pick(rnd, ['借记卡', '贷记卡']) : pick(rnd, ['DEBIT', 'CREDIT']),
      [H.amount]: money(signed),
      [H.fee]: money(printedFee),
      [H.net]: money(net),
      [H.otrace]: orig?.trace ?? '',
      [H.orrn]: orig?.rrn ?? '',
    };
    // zh names the combined column 交易时间 too: set the date and time cells after the rest.
    if (v.split) {
      cells[H.date] = date;
      cells[H.time] = date.length === 8 ? timeOf(at, '') : timeOf(at);
    } else cells[dateTimeName] = `${date} ${timeOf(at)}`;
    const line = sheet.add(csvLine(row(header, cells, i, v)));
    total += signed;
    if (type === 'sale' || type === 'preauth') done.push({ trace: t, rrn, amount: amt, tid });
    expected.push(
      clean({
        line,
        source: 'acquirer',
        merchant_id: mid,
        terminal_id: tid,
        datetime: isoOf(at),
        trans_type: type,
        amount_minor: amt,
        currency: 'CNY',
        fee_minor: printedFee,
        settle_minor: net,
        card_number: card,
        card_last4: full.slice(-4),
        batch_no: batch,
        trace_no: t,
        reference_no: rrn,
        auth_code: auth || undefined,
        original_trace_no: orig?.trace,
        original_reference_no: orig?.rrn,
      }),
    );
  }
  if (v.totals) {
    const cells = header.map(() => '');
    cells[0] = zh ? '合计' : 'Total';
    cells[header.indexOf(H.amount)] = v.grouped ? yuan(total, { group: ',' }) : yuan(total);
    sheet.add(csvLine(cells));
  }
  const tags = [lang, encoding, v.split ? 'split' : '', v.negatives ? 'neg' : '', v.noType ? 'notype' : '', v.preamble ? 'pre' : '', v.grouped ? 'grouped' : '', v.usDates ? 'us' : '']
    .filter(Boolean)
    .join('-');
  return {
    name: `acquirer-${tags}${v.crlf ? '-crlf' : ''}.csv`,
    format: 'acquirer-csv',
    bytes: sheet.bytes(encoding, v.crlf),
    encoding,
    language: lang,
    merchant_id: mid,
    ...span(expected),
    expected,
    amountColumn: H.amount,
  };
}

// ---- generic mappings ------------------------------------------------------------------------

/** Render a date/time by a mapping pattern (YYYY YY MM M DD D HH H mm ss). */
function render(pattern: string, c: Clock): string {
  const values: Record<string, string> = {
    YYYY: String(c.y), YY: pad(c.y % 100, 2), MM: pad(c.mo, 2), M: String(c.mo), DD: pad(c.d, 2), D: String(c.d),
    HH: pad(c.h, 2), H: String(c.h), mm: pad(c.mi, 2), ss: pad(c.s, 2),
  };
  return pattern.replace(/YYYY|YY|MM|M|DD|D|HH|H|mm|ss/g, (t) => values[t]!);
}

/** An amount as a mapping says amounts are written. */
function renderAmount(minor: number, m: StatementMapping): string {
  const a = m.spec.amount;
  if (a.unit === 'minor') return String(minor);
  return yuan(minor, { group: a.group, decimal: a.decimal });
}

/** A statement for one of the shipped generic mappings, written by what the mapping declares. */
export function genericStatement(seed: number, mappingName: string, v: Variation = {}): GeneratedStatement {
  const m = loadMapping(mappingName);
  const spec = m.spec;
  const rnd = prng(seed);
  const n = v.rows ?? 12;
  const first = (f: string): string | undefined => m.fields.get(f as never)?.[0];
  const header = Object.keys(spec.columns).filter((name) => first(spec.columns[name]!) === name);
  const sheet = new Sheet();
  const clock = clockFrom(rnd, 2);
  const zh = (spec.language ?? 'zh') === 'zh' && header.some((h) => /[\u4e00-\u9fff]/u.test(h));
  while (sheet.lines.length + 1 < (spec.header_line ?? 1)) sheet.add(sheet.lines.length === 0 ? (zh ? '商户交易明细' : 'Settlement report') : `${zh ? '对账日期' : 'Date'}：${dateOf(clock.start)}`);
  sheet.add(csvLine(header, spec.delimiter));
  // The type values the mapping declares, by trans_type (the first value listed for each).
  const typeValue = new Map<string, string>();
  for (const [value, t] of Object.entries(spec.types ?? {})) if (!typeValue.has(t)) typeValue.set(t, value);
  const kinds = [...typeValue.keys()].filter((t) => t !== 'other') as TransType[];
  const mid = digits(rnd, 15);
  const terminals = [digits(rnd, 8), digits(rnd, 8)];
  const currency = header.some((h) => spec.columns[h] === 'currency') ? pick(rnd, ['EUR', 'EUR', 'GBP']) : spec.currency;
  const done: { trace: string; rrn: string }[] = [];
  const expected: ExpectedTxn[] = [];
  let trace = 1 + int(rnd, 90_000);
  for (let i = 0; i < n; i++) {
    const type: TransType = i === 0 || kinds.length === 0 ? 'sale' : weighted(rnd, kinds.map((k) => [k, k === 'sale' ? 8 : 1] as const));
    const back = type === 'void' || type === 'refund';
    const amt = i % 5 === 4 ? 100_000 + int(rnd, 900_000) : amount(rnd);
    const signed = back && spec.amount.sign === 'signed' ? -amt : amt;
    const rowFee = back ? neg(fee(amt, 5)) : fee(amt, 5);
    const net = signed - rowFee;
    const at = clock.next();
    // Minutes-only datetime patterns drop the seconds.
    const hasSeconds = [spec.formats.datetime, spec.formats.time].some((p) => p?.includes('ss'));
    const when = hasSeconds ? at : { ...at, s: 0 };
    const orig = back && done.length > 0 ? pick(rnd, done) : undefined;
    const t = pad(trace++, 6);
    const rrn = digits(rnd, 12);
    const auth = `${digits(rnd, 6)}`;
    const full = pan(rnd, pick(rnd, ['622588', '436742', '521899']), 16);
    const values: Partial<Record<string, string>> = {
      merchant_id: mid,
      terminal_id: pick(rnd, terminals),
      datetime: spec.formats.datetime ? render(spec.formats.datetime, when) : `${dateOf(when)} ${timeOf(when)}`,
      date: spec.formats.date ? render(spec.formats.date, when) : dateOf(when),
      time: spec.formats.time ? render(spec.formats.time, when) : timeOf(when),
      trans_type: typeValue.get(type) ?? type,
      amount: renderAmount(signed, m),
      fee: renderAmount(rowFee, m),
      settle: renderAmount(net, m),
      currency,
      card_number: maskPan(full),
      batch_no: '000042',
      trace_no: t,
      reference_no: rrn,
      auth_code: auth,
      original_trace_no: orig?.trace ?? '',
      original_reference_no: orig?.rrn ?? '',
    };
    const cells: Record<string, string> = {};
    for (const h of header) cells[h] = values[spec.columns[h]!] ?? '';
    const line = sheet.add(csvLine(row(header, cells, i, v), spec.delimiter));
    if (type === 'sale') done.push({ trace: t, rrn });
    const has = (f: string): boolean => header.some((h) => spec.columns[h] === f);
    expected.push(
      clean({
        line,
        source: 'generic',
        merchant_id: has('merchant_id') ? mid : spec.merchant_id,
        terminal_id: has('terminal_id') ? values['terminal_id'] : undefined,
        datetime: isoOf(when),
        trans_type: type,
        amount_minor: amt,
        currency,
        fee_minor: has('fee') ? rowFee : undefined,
        settle_minor: has('settle') ? net : undefined,
        card_number: has('card_number') ? maskPan(full) : undefined,
        card_last4: has('card_number') ? full.slice(-4) : undefined,
        batch_no: has('batch_no') ? '000042' : undefined,
        trace_no: has('trace_no') ? t : undefined,
        reference_no: has('reference_no') ? rrn : undefined,
        auth_code: has('auth_code') ? auth : undefined,
        original_trace_no: has('original_trace_no') ? orig?.trace : undefined,
        original_reference_no: has('original_reference_no') ? orig?.rrn : undefined,
      }),
    );
  }
  const footer = spec.footer_prefixes.find((p) => (zh ? /[\u4e00-\u9fff]/u.test(p) : /^[A-Za-z]/.test(p)));
  if (footer) sheet.add(csvLine([footer, String(n)], spec.delimiter));
  const encoding: FileEncoding = spec.encoding === 'gbk' || spec.encoding === 'gb18030' ? 'gbk' : 'utf-8';
  const amountColumn = header.find((h) => spec.columns[h] === 'amount')!;
  return {
    name: `generic-${spec.name}${v.crlf ? '-crlf' : ''}.txt`,
    format: 'generic',
    mapping: spec.name,
    bytes: sheet.bytes(encoding, v.crlf),
    encoding,
    language: spec.language ?? (zh ? 'zh' : 'en'),
    ...(header.some((h) => spec.columns[h] === 'merchant_id') ? { merchant_id: mid } : {}),
    ...span(expected),
    expected,
    amountColumn,
  };
}

// ---- POS sales logs --------------------------------------------------------------------------

export type SalesLogShape = 'csv' | 'json' | 'json-wrapped' | 'jsonl';

export function salesLog(seed: number, shape: SalesLogShape, v: Variation & { numbers?: boolean } = {}): GeneratedStatement {
  const rnd = prng(seed);
  const n = v.rows ?? 12;
  const clock = clockFrom(rnd);
  const terminal = `POS-${pad(1 + int(rnd, 9), 2)}`;
  const mid = digits(rnd, 15);
  const methods = [['card', 'card'], ['cash', 'cash'], ['wechat', 'wechat'], ['支付宝', 'alipay'], ['Visa', 'card']] as const;
  const header = ['receipt_no', 'datetime', 'terminal', 'cashier', 'amount', 'payment_method', 'type', 'order_no', 'card_last4', 'note'];
  const objects: Record<string, string | number>[] = [];
  const expected: Omit<ExpectedTxn, 'line'>[] = [];
  let receipt = 1000 + int(rnd, 9000);
  for (let i = 0; i < n; i++) {
    const at = clock.next();
    const type = weighted(rnd, [['sale', 8], ['refund', 1], ['void', 1]] as const);
    const amt = amount(rnd);
    const [method, normal] = pick(rnd, methods);
    const card = normal === 'card' ? digits(rnd, 4) : '';
    const cashier = pick(rnd, PEOPLE_EN);
    const no = `R${receipt++}`;
    const order = chance(rnd, 0.5) ? `SO${digits(rnd, 10)}` : '';
    // Refunds as negative amounts, without a type, now and then: the sign must tell.
    const bySign = type === 'refund' && chance(rnd, 0.5);
    const o: Record<string, string | number> = {
      receipt_no: no,
      datetime: chance(rnd, 0.5) ? isoOf(at) : `${dateOf(at)} ${timeOf(at)}`,
      terminal,
      cashier,
      amount: v.numbers ? (bySign ? -amt : amt) / 100 : yuan(bySign ? -amt : amt),
      payment_method: method,
      type: bySign ? '' : type,
      order_no: order,
      card_last4: card,
      note: chance(rnd, 0.3) ? pick(rnd, ['table 4, window', 'member "gold"', 'bag, receipt']) : '',
    };
    if (v.override && v.override.row === i) o[v.override.column] = v.override.value;
    objects.push(o);
    expected.push(
      clean({
        source: 'sales-log',
        merchant_id: shape === 'json-wrapped' ? mid : undefined,
        terminal_id: terminal,
        datetime: isoOf(at),
        trans_type: type,
        amount_minor: amt,
        currency: 'CNY',
        card_last4: card || undefined,
        merchant_order_no: order || undefined,
        receipt_no: no,
        operator_id: cashier,
        payment_method: normal,
      }),
    );
  }
  const sheet = new Sheet();
  const lines: number[] = [];
  if (shape === 'csv') {
    sheet.add(header.join(','));
    for (const o of objects) lines.push(sheet.add(csvLine(header.map((h) => String(o[h] ?? '')))));
  } else if (shape === 'jsonl') {
    for (const o of objects) lines.push(sheet.add(JSON.stringify(o)));
  } else {
    const wrapped = shape === 'json-wrapped';
    if (wrapped) for (const l of ['{', `  "merchant_id": "${mid}",`, '  "currency": "CNY",', '  "sales": [']) sheet.add(l);
    else sheet.add('[');
    objects.forEach((o, k) => {
      const body = JSON.stringify(o, null, 2).split('\n').map((l) => (wrapped ? '    ' : '  ') + l);
      lines.push(sheet.add(body[0]!));
      for (const l of body.slice(1, -1)) sheet.add(l);
      sheet.add(body[body.length - 1]! + (k < objects.length - 1 ? ',' : ''));
    });
    if (wrapped) sheet.add('  ]');
    sheet.add(wrapped ? '}' : ']');
  }
  const all = expected.map((e, k) => ({ line: lines[k]!, ...e }) as ExpectedTxn);
  return {
    name: `sales-log-${shape}${v.numbers ? '-numbers' : ''}.${shape === 'csv' ? 'csv' : shape === 'jsonl' ? 'jsonl' : 'json'}`,
    format: 'sales-log',
    bytes: sheet.bytes('utf-8', v.crlf),
    encoding: 'utf-8',
    language: 'en',
    ...(shape === 'json-wrapped' ? { merchant_id: mid } : {}),
    ...span(all),
    expected: all,
    amountColumn: 'amount',
  };
}

// ---- a sample of everything ------------------------------------------------------------------

export function sampleStatements(seed = 1, rows?: number): GeneratedStatement[] {
  const v = rows !== undefined ? { rows } : {};
  return [
    wechatBill(seed, { ...v, billType: 'ALL', bom: true }),
    wechatBill(seed + 1, { ...v, billType: 'SUCCESS' }),
    wechatBill(seed + 2, { ...v, billType: 'REFUND', crlf: true }),
    alipayDetail(seed + 3, v),
    acquirerStatement(seed + 4, { ...v, language: 'zh', encoding: 'gbk', split: true, preamble: true, totals: true }),
    acquirerStatement(seed + 5, { ...v, language: 'zh', encoding: 'utf-8-bom', negatives: true }),
    acquirerStatement(seed + 6, { ...v, language: 'en', encoding: 'utf-8', grouped: true, crlf: true }),
    genericStatement(seed + 7, 'bank-pos-gbk', v),
    genericStatement(seed + 8, 'processor-eu', v),
    salesLog(seed + 9, 'csv', v),
    salesLog(seed + 10, 'json-wrapped', v),
  ];
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const out = opt('--out');
  if (!out) {
    console.error('usage: node dist/scripts/gen/statements.js --out DIR [--seed N] [--rows N]');
    process.exit(2);
  }
  mkdirSync(out, { recursive: true });
  const rows = opt('--rows');
  for (const s of sampleStatements(Number(opt('--seed') ?? 1), rows !== undefined ? Number(rows) : undefined)) {
    writeFileSync(join(out, s.name), s.bytes);
    console.log(`${s.name}\t${s.format}${s.mapping ? ` --mapping ${s.mapping}` : ''}\t${s.encoding}\t${s.expected.length} rows`);
  }
}


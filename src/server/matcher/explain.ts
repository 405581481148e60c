/**
 * One sentence per discrepancy, in English and in Chinese, that a finance clerk can act on: who
 * (terminal), when (local time), what (type and amount as money), which (RRN / voucher / order),
 * then what is wrong and what to check. Pure text from facts; no lookups here.
 *
 *   Terminal 10086001, 14:03, sale ¥128.00 (RRN 317080478227): on the statement, no receipt
 *   captured; the printer reported paper end 14:01–14:10 (store S01, printer front).
 *   终端 10086001，14:03，消费 ¥128.00（参考号 317080478227）：对账单有此交易，但未采集到小票；
 *   打印机 14:01–14:10 报告缺纸（门店 S01，打印机 front）。
 */
import type { CopyKind, TransType } from '../../receipt/fields/types.js';
import { formatMoney } from './money.js';
import { clockTime, formatLocal, localDate, type WallMs } from './time.js';
import type { DiffField, FieldDiff, PrinterCondition } from './types.js';

export interface Subject {
  readonly kind: 'terminal' | 'store' | 'merchant';
  readonly id: string;
}

export type RefKind = 'rrn' | 'voucher' | 'transaction' | 'order' | 'receipt_no';

export interface Head {
  readonly subject: Subject | null;
  readonly at: WallMs | null;
  /** For a span (ambiguous clusters). */
  readonly until?: WallMs;
  readonly type: TransType | null;
  readonly amount: number | null;
  readonly currency: string;
  readonly ref: { readonly kind: RefKind; readonly value: string } | null;
}

export type Body =
  | { readonly kind: 'missing_receipt'; readonly store: string | null }
  | {
      readonly kind: 'print_failed';
      readonly condition: PrinterCondition;
      readonly start: WallMs;
      readonly end: WallMs | null;
      readonly store: string;
      readonly printer: string;
    }
  | {
      readonly kind: 'orphan_receipt';
      readonly store: string;
      readonly printer: string;
      readonly cause: 'declined' | 'voided' | 'unknown';
      /** The other half of a void / refund pair, when there is one. */
      readonly link?: { readonly role: 'reversed_by' | 'reverses'; readonly type: TransType | null; readonly ref: Head['ref']; readonly at: WallMs };
    }
  | {
      readonly kind: 'amount_mismatch' | 'type_mismatch' | 'data_mismatch';
      readonly diffs: readonly FieldDiff[];
      readonly currency: string;
      readonly operator: string | null;
    }
  | { readonly kind: 'duplicate'; readonly copy: CopyKind | null; readonly at: WallMs; readonly firstAt: WallMs; readonly printer: string }
  | { readonly kind: 'reprint'; readonly at: WallMs; readonly printer: string }
  | { readonly kind: 'clock_drift'; readonly offsetMs: number; readonly samples: number }
  | { readonly kind: 'ambiguous'; readonly rows: number; readonly groups: number; readonly windowMs: number };

export interface Explanation {
  readonly en: string;
  readonly zh: string;
}

const TYPE_EN: Readonly<Record<TransType, string>> = {
  sale: 'sale',
  void: 'void',
  refund: 'refund',
  preauth: 'pre-authorisation',
  preauth_complete: 'pre-auth completion',
  preauth_void: 'pre-auth void',
  balance: 'balance enquiry',
  settlement: 'settlement',
  other: 'transaction',
};

const TYPE_ZH: Readonly<Record<TransType, string>> = {
  sale: '消费',
  void: '撤销',
  refund: '退货',
  preauth: '预授权',
  preauth_complete: '预授权完成',
  preauth_void: '预授权撤销',
  balance: '余额查询',
  settlement: '结算',
  other: '交易',
};

const SUBJECT_EN = { terminal: 'Terminal', store: 'Store', merchant: 'Merchant' } as const;
const SUBJECT_ZH = { terminal: '终端', store: '门店', merchant: '商户' } as const;

const REF_EN: Readonly<Record<RefKind, string>> = {
  rrn: 'RRN',
  voucher: 'voucher',
  transaction: 'transaction',
  order: 'order',
  receipt_no: 'receipt no.',
};
const REF_ZH: Readonly<Record<RefKind, string>> = {
  rrn: '参考号',
  voucher: '凭证号',
  transaction: '交易单号',
  order: '商户订单号',
  receipt_no: '小票号',
};

const FIELD_EN: Readonly<Record<DiffField, string>> = {
  amount_minor: 'amount',
  trans_type: 'type',
  card_last4: 'card last 4',
  card_bin: 'card BIN',
  auth_code: 'auth code',
  batch_no: 'batch',
  trace_no: 'voucher',
  reference_no: 'RRN',
  currency: 'currency',
  transaction_id: 'transaction id',
  merchant_order_no: 'merchant order no.',
  receipt_no: 'receipt no.',
  operator_id: 'operator',
  datetime: 'time',
};
const FIELD_ZH: Readonly<Record<DiffField, string>> = {
  amount_minor: '金额',
  trans_type: '交易类型',
  card_last4: '卡号后四位',
  card_bin: '卡号前六位',
  auth_code: '授权码',
  batch_no: '批次号',
  trace_no: '凭证号',
  reference_no: '参考号',
  currency: '币种',
  transaction_id: '交易单号',
  merchant_order_no: '商户订单号',
  receipt_no: '小票号',
  operator_id: '操作员',
  datetime: '交易时间',
};

const CONDITION_EN: Readonly<Record<PrinterCondition, string>> = {
  paper_out: 'paper end',
  cover_open: 'cover open',
  offline: 'offline',
  error: 'an error',
  no_response: 'no response',
};
const CONDITION_ZH: Readonly<Record<PrinterCondition, string>> = {
  paper_out: '缺纸',
  cover_open: '纸仓盖打开',
  offline: '脱机',
  error: '故障',
  no_response: '无响应',
};

const COPY_EN: Readonly<Record<CopyKind, string>> = { merchant: 'merchant copy', cardholder: 'cardholder copy', bank: 'bank copy' };
const COPY_ZH: Readonly<Record<CopyKind, string>> = { merchant: '商户存根', cardholder: '持卡人存根', bank: '银行存根' };

/** How times are shown: "14:03", or "2026-11-20 14:03" when the run spans several days. */
export interface TimeStyle {
  readonly withDate: boolean;
}

function when(t: WallMs, style: TimeStyle): string {
  return style.withDate ? `${localDate(t)} ${clockTime(t)}` : clockTime(t);
}

/** "14:01–14:10"; the date once when both ends share it. */
function span(a: WallMs, b: WallMs, style: TimeStyle): string {
  if (localDate(a) === localDate(b)) return `${when(a, style)}–${clockTime(b)}`;
  return `${localDate(a)} ${clockTime(a)}–${localDate(b)} ${clockTime(b)}`;
}

function headEn(h: Head, style: TimeStyle): string {
  const parts: string[] = [];
  if (h.subject) parts.push(`${SUBJECT_EN[h.subject.kind]} ${h.subject.id}`);
  if (h.at !== null) parts.push(h.until !== undefined && h.until !== h.at ? span(h.at, h.until, style) : when(h.at, style));
  const what = [h.type ? TYPE_EN[h.type] : null, h.amount !== null ? formatMoney(h.amount, h.currency) : null].filter(Boolean).join(' ');
  const ref = h.ref ? ` (${REF_EN[h.ref.kind]} ${h.ref.value})` : '';
  if (what || ref) parts.push(`${what || 'transaction'}${ref}`);
  return parts.join(', ');
}

function headZh(h: Head, style: TimeStyle): string {
  const parts: string[] = [];
  if (h.subject) parts.push(`${SUBJECT_ZH[h.subject.kind]} ${h.subject.id}`);
  if (h.at !== null) parts.push(h.until !== undefined && h.until !== h.at ? span(h.at, h.until, style) : when(h.at, style));
  const what = [h.type ? TYPE_ZH[h.type] : null, h.amount !== null ? formatMoney(h.amount, h.currency) : null].filter(Boolean).join(' ');
  const ref = h.ref ? `（${REF_ZH[h.ref.kind]} ${h.ref.value}）` : '';
  if (what || ref) parts.push(`${what || '交易'}${ref}`);
  return parts.join('，');
}

/** "8 min 12 s" / "8 分 12 秒". */
export function duration(ms: number, lang: 'en' | 'zh'): string {
  let s = Math.round(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const units = lang === 'en' ? (['h', 'min', 's'] as const) : (['小时', '分', '秒'] as const);
  const parts: string[] = [];
  if (h) parts.push(`${h} ${units[0]}`);
  if (m) parts.push(`${m} ${units[1]}`);
  if (s || parts.length === 0) parts.push(`${s} ${units[2]}`);
  return parts.join(' ');
}

function value(field: DiffField, v: string | number, currency: string, lang: 'en' | 'zh'): string {
  if (field === 'amount_minor') return formatMoney(Number(v), currency);
  if (field === 'trans_type') return (lang === 'en' ? TYPE_EN : TYPE_ZH)[v as TransType] ?? String(v);
  if (field === 'datetime') return formatLocal(typeof v === 'number' ? v : Date.parse(`${v}Z`)).replace('T', ' ').slice(0, 16);
  return String(v);
}

function diffEn(d: FieldDiff, currency: string): string {
  return `${FIELD_EN[d.field]} (receipt ${value(d.field, d.receipt, currency, 'en')}, statement ${value(d.field, d.statement, currency, 'en')})`;
}

function diffZh(d: FieldDiff, currency: string): string {
  return `${FIELD_ZH[d.field]}（小票 ${value(d.field, d.receipt, currency, 'zh')}，对账单 ${value(d.field, d.statement, currency, 'zh')}）`;
}

function listEn(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function bodyEn(b: Body, style: TimeStyle): string {
  switch (b.kind) {
    case 'missing_receipt':
      return `on the statement, no receipt captured; check that the slip printed and that the capture agent${b.store ? ` at store ${b.store}` : ''} is running`;
    case 'print_failed': {
      const period = b.end === null ? `from ${when(b.start, style)}` : span(b.start, b.end, style);
      const what = b.condition === 'no_response' ? `did not respond ${period}` : `reported ${CONDITION_EN[b.condition]} ${period}`;
      return `on the statement, no receipt captured; the printer ${what} (store ${b.store}, printer ${b.printer})`;
    }
    case 'orphan_receipt': {
      const head = `receipt captured (store ${b.store}, printer ${b.printer}), not on the statement`;
      if (b.cause === 'declined') return `${head}; the slip is marked as declined, no money moved`;
      if (b.cause === 'voided' && b.link) {
        const type = b.link.type ? TYPE_EN[b.link.type] : 'transaction';
        const ref = b.link.ref ? ` (${REF_EN[b.link.ref.kind]} ${b.link.ref.value})` : '';
        return b.link.role === 'reversed_by'
          ? `${head}; it was reversed by the ${type}${ref} at ${when(b.link.at, style)}, check that neither reached the acquirer`
          : `${head}; it reverses the ${type}${ref} of ${when(b.link.at, style)}, check that neither reached the acquirer`;
      }
      return `${head}; check whether it was voided or declined, or whether the slip is genuine`;
    }
    case 'amount_mismatch':
    case 'type_mismatch':
    case 'data_mismatch': {
      const main = b.kind === 'amount_mismatch' ? 'amount_minor' : b.kind === 'type_mismatch' ? 'trans_type' : null;
      const ask = b.operator ? `; check with operator ${b.operator}` : '';
      if (main === null) return `receipt and statement differ in ${listEn(b.diffs.map((d) => diffEn(d, b.currency)))}`;
      const mains = b.diffs.filter((d) => d.field === main);
      const rest = b.diffs.filter((d) => d.field !== main);
      const shown = mains.map((d) => value(main, d.receipt, b.currency, 'en')).join(' / ');
      const stmt = value(main, mains[0]!.statement, b.currency, 'en');
      const lead = main === 'amount_minor' ? `the receipt shows ${shown}, the statement ${stmt}` : `the receipt says ${shown}, the statement ${stmt}`;
      const also = rest.length ? `; they also differ in ${listEn(rest.map((d) => diffEn(d, b.currency)))}` : '';
      return `${lead}${also}${ask}`;
    }
    case 'duplicate':
      return `the ${b.copy ? COPY_EN[b.copy] : 'slip'} was printed again at ${when(b.at, style)} without a reprint mark (first print ${when(b.firstAt, style)}, printer ${b.printer}); ask the cashier why`;
    case 'reprint':
      return `reprinted at ${when(b.at, style)} on printer ${b.printer}, marked as a reprint; for information`;
    case 'clock_drift':
      return `its clock runs ${duration(b.offsetMs, 'en')} ${b.offsetMs > 0 ? 'ahead of' : 'behind'} the statement (median of ${b.samples} matched transactions); set the terminal's date and time`;
    case 'ambiguous':
      return `${b.rows} statement transaction${b.rows === 1 ? '' : 's'} and ${b.groups} receipt${b.groups === 1 ? '' : 's'} with the same amount and card within ${duration(b.windowMs, 'en')} could pair either way; pair them by hand`;
  }
}

function bodyZh(b: Body, style: TimeStyle): string {
  switch (b.kind) {
    case 'missing_receipt':
      return `对账单有此交易，但未采集到小票；请检查小票是否打印，以及${b.store ? `门店 ${b.store} 的` : ''}采集程序是否在运行`;
    case 'print_failed': {
      const period = b.end === null ? `自 ${when(b.start, style)} 起` : span(b.start, b.end, style);
      const what = b.condition === 'no_response' ? '无响应' : `报告${CONDITION_ZH[b.condition]}`;
      return `对账单有此交易，但未采集到小票；打印机 ${period} ${what}（门店 ${b.store}，打印机 ${b.printer}）`;
    }
    case 'orphan_receipt': {
      const head = `采集到小票（门店 ${b.store}，打印机 ${b.printer}），但对账单无此交易`;
      if (b.cause === 'declined') return `${head}；小票标记为交易失败，未发生扣款`;
      if (b.cause === 'voided' && b.link) {
        const type = b.link.type ? TYPE_ZH[b.link.type] : '交易';
        const ref = b.link.ref ? `（${REF_ZH[b.link.ref.kind]} ${b.link.ref.value}）` : '';
        return b.link.role === 'reversed_by'
          ? `${head}；该交易已于 ${when(b.link.at, style)} 被${type}${ref}，请核实两笔均未上送收单机构`
          : `${head}；此笔冲正的是 ${when(b.link.at, style)} 的${type}${ref}，请核实两笔均未上送收单机构`;
      }
      return `${head}；请核实是否已撤销或被拒，以及小票是否真实`;
    }
    case 'amount_mismatch':
    case 'type_mismatch':
    case 'data_mismatch': {
      const main = b.kind === 'amount_mismatch' ? 'amount_minor' : b.kind === 'type_mismatch' ? 'trans_type' : null;
      const ask = b.operator ? `；请向操作员 ${b.operator} 核实` : '';
      if (main === null) return `小票与对账单不一致：${b.diffs.map((d) => diffZh(d, b.currency)).join('、')}`;
      const mains = b.diffs.filter((d) => d.field === main);
      const rest = b.diffs.filter((d) => d.field !== main);
      const shown = mains.map((d) => value(main, d.receipt, b.currency, 'zh')).join(' / ');
      const stmt = value(main, mains[0]!.statement, b.currency, 'zh');
      const lead = main === 'amount_minor' ? `小票金额 ${shown}，对账单金额 ${stmt}` : `小票交易类型为${shown}，对账单为${stmt}`;
      const also = rest.length ? `；另外${rest.map((d) => diffZh(d, b.currency)).join('、')}也不一致` : '';
      return `${lead}${also}${ask}`;
    }
    case 'duplicate':
      return `${b.copy ? COPY_ZH[b.copy] : '小票'}于 ${when(b.at, style)} 再次打印，且无重打印标记（首次打印 ${when(b.firstAt, style)}，打印机 ${b.printer}）；请向收银员核实原因`;
    case 'reprint':
      return `于 ${when(b.at, style)} 在打印机 ${b.printer} 重打印，小票标有重打印；仅供参考`;
    case 'clock_drift':
      return `时钟比对账单${b.offsetMs > 0 ? '快' : '慢'} ${duration(b.offsetMs, 'zh')}（${b.samples} 笔已匹配交易的中位数）；请校正终端的日期和时间`;
    case 'ambiguous':
      return `${b.rows} 笔对账单交易与 ${b.groups} 张小票金额、卡号相同且相差不到 ${duration(b.windowMs, 'zh')}，无法自动对应；请人工核对`;
  }
}

export function explain(head: Head, body: Body, style: TimeStyle): Explanation {
  return {
    en: `${headEn(head, style)}: ${bodyEn(body, style)}.`,
    zh: `${headZh(head, style)}：${bodyZh(body, style)}。`,
  };
}

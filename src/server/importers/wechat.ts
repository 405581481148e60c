/**
 * WeChat Pay 交易账单 (bill types ALL, SUCCESS, REFUND; the older v2 spellings too): a header
 * line, one line per payment or refund with every value after a backtick, then a summary header
 * (总交易单数, 应结订单总金额, 退款总金额…) and its values. The summary is checked against the rows:
 * a file cut short or altered is refused rather than half imported.
 *
 * Per row: SUCCESS → sale, REFUND → refund, REVOKED → void (a payment revoked before settlement).
 * A refund's time is 退款申请时间 where the bill has it (REFUND bills; 交易时间 is then the payment's).
 * The amount is what the customer was charged: 订单金额 (older bills: 应结订单金额 + 代金券金额); a
 * refund's is 退款金额 (else 申请退款金额). settle_minor is 应结订单金额 for a payment and minus the
 * refunded amount for a refund; fee_minor is 手续费 as printed (refunded fees are negative).
 */
import type { TransType } from '../../receipt/fields/types.js';
import type { StatementTxn } from '../statement.js';
import { StatementError } from './errors.js';
import { txn, type ReadOptions, type StatementImporter } from './importer.js';
import { formatMinor, minorExponent, parseMinor } from './money.js';
import { parseDateTimeText } from './datetime.js';
import { streamRecords, type TextRecord } from './records.js';
import { cleanCell, headerKey, locateHeader, type ColumnSpec, type Requirement, type Row } from './table.js';
import { currencyOf, idOf, transTypeOf } from './values.js';

type Col =
  | 'time' | 'refund_time' | 'mch' | 'sub_mch' | 'device' | 'txid' | 'order' | 'status' | 'currency' | 'settle' | 'coupon'
  | 'refund_id' | 'merchant_refund' | 'refund' | 'recharge_refund' | 'fee' | 'order_amount' | 'refund_requested';

const COLUMNS: readonly ColumnSpec<Col>[] = [
  { key: 'time', names: ['交易时间'] },
  { key: 'refund_time', names: ['退款申请时间'] },
  { key: 'mch', names: ['商户号'] },
  { key: 'sub_mch', names: ['特约商户号', '子商户号'] },
  { key: 'device', names: ['设备号'] },
  { key: 'txid', names: ['微信订单号'] },
  { key: 'order', names: ['商户订单号'] },
  { key: 'status', names: ['交易状态'] },
  { key: 'currency', names: ['货币种类'] },
  { key: 'settle', names: ['应结订单金额'] },
  { key: 'coupon', names: ['代金券金额', '代金券或立减优惠金额'] },
  { key: 'refund_id', names: ['微信退款单号'] },
  { key: 'merchant_refund', names: ['商户退款单号'] },
  { key: 'refund', names: ['退款金额'] },
  { key: 'recharge_refund', names: ['充值券退款金额', '代金券或立减优惠退款金额'] },
  { key: 'fee', names: ['手续费'] },
  { key: 'order_amount', names: ['订单金额', '总金额'] },
  { key: 'refund_requested', names: ['申请退款金额'] },
];

/** Summary column → the detail column it totals. */
const TOTALS: Readonly<Record<string, Col>> = {
  [headerKey('应结订单总金额')]: 'settle',
  [headerKey('总交易额')]: 'order_amount',
  [headerKey('订单总金额')]: 'order_amount',
  [headerKey('退款总金额')]: 'refund',
  [headerKey('总退款金额')]: 'refund',
  [headerKey('充值券退款总金额')]: 'recharge_refund',
  [headerKey('总代金券或立减优惠退款金额')]: 'recharge_refund',
  [headerKey('手续费总金额')]: 'fee',
  [headerKey('申请退款总金额')]: 'refund_requested',
};
const COUNT = headerKey('总交易单数');

const REQUIRED: readonly Requirement<Col>[] = [
  { keys: ['time'], name: '交易时间' },
  { keys: ['status'], name: '交易状态' },
  { keys: ['txid'], name: '微信订单号' },
  { keys: ['order_amount', 'settle'], name: '订单金额' },
];

const STATUS: Readonly<Record<string, TransType>> = { SUCCESS: 'sale', REFUND: 'refund', REVOKED: 'void' };

const isSummaryHeader = (rec: TextRecord): boolean => headerKey(rec.cells[0] ?? '') === COUNT;

export const wechatImporter: StatementImporter = {
  format: 'wechat',
  source: 'wechat',
  *read(pieces: Iterable<string>, options: ReadOptions) {
    const records = streamRecords(pieces)[Symbol.iterator]();
    const top: TextRecord[] = [];
    for (let n = 0; n < 3; n++) {
      const next = records.next();
      if (next.done) break;
      top.push(next.value);
    }
    if (top.length === 0) throw new StatementError('STATEMENT_EMPTY_FILE', 'the file has no lines');
    const found = locateHeader(top, COLUMNS, REQUIRED, 'the WeChat Pay bill columns (交易时间, 交易状态, 微信订单号, 订单金额…)', 3);
    const { header } = found;
    // The records after the header: those of the first three, then the rest as they are read.
    const after = (function* () {
      yield* top.slice(found.index + 1);
      for (let next = records.next(); !next.done; next = records.next()) yield next.value;
    })();

    const defaultCurrency = options.currency ?? 'CNY';
    let count = 0;
    let firstCurrency: string | undefined;
    const totals = new Map<Col, number>();
    let sumHeader: TextRecord | undefined;
    let last: TextRecord | undefined;
    // next() rather than for…of: a break would close the generator, and the summary lines follow.
    for (let next = after.next(); !next.done; next = after.next()) {
      const rec = next.value;
      last = rec;
      if (isSummaryHeader(rec)) {
        sumHeader = rec;
        break;
      }
      const row = header.row(rec);
      const currency = currencyOfRow(row, defaultCurrency);
      const exp = minorExponent(currency);
      const amounts = new Map<Col, number>();
      for (const key of ['settle', 'coupon', 'refund', 'recharge_refund', 'fee', 'order_amount', 'refund_requested'] as const) {
        const v = row.get(key);
        if (v === undefined) continue;
        const minor = parseMinor(v, undefined, exp);
        if (minor === null) throw row.error('STATEMENT_BAD_AMOUNT', key, `not an amount: "${v}"`);
        amounts.set(key, minor);
        totals.set(key, (totals.get(key) ?? 0) + minor);
      }
      const t = wechatRow(row, amounts, currency);
      firstCurrency ??= t.currency;
      count++;
      yield t;
    }

    if (!sumHeader) {
      throw new StatementError('STATEMENT_BAD_SUMMARY', 'no summary lines (总交易单数…) at the end: the file may be cut short', {
        line: (last ?? top[top.length - 1]!).line,
      });
    }
    const sumValues = after.next();
    if (sumValues.done) throw new StatementError('STATEMENT_BAD_SUMMARY', 'the summary header has no values line after it', { line: sumHeader.line });
    const extra = after.next();
    if (!extra.done) throw new StatementError('STATEMENT_BAD_SUMMARY', 'lines after the summary', { line: extra.value.line });
    const summary = checkSummary(sumHeader, sumValues.value, count, totals, minorExponent(firstCurrency ?? defaultCurrency));
    return { language: header.language, summary };
  },
};

function currencyOfRow(row: Row<Col>, fallback: string): string {
  const c = row.get('currency');
  if (c === undefined) return fallback;
  const code = currencyOf(c);
  if (!code) throw row.error('STATEMENT_BAD_CURRENCY', 'currency', `not a currency: "${c}"`);
  return code;
}

function wechatRow(row: Row<Col>, amounts: ReadonlyMap<Col, number>, currency: string): StatementTxn {
  const status = row.need('status', 'transaction status');
  const trans_type = STATUS[status.toUpperCase()] ?? transTypeOf(status) ?? 'other';
  const refund = trans_type === 'refund';
  // A REFUND bill's 交易时间 is the original payment's; the refund happened at 退款申请时间.
  const timeKey = refund && row.get('refund_time') !== undefined ? 'refund_time' : 'time';
  const when = row.need(timeKey, 'transaction time');
  const datetime = parseDateTimeText(when, 'dmy');
  if (!datetime) throw row.error('STATEMENT_BAD_DATE', timeKey, `not a date and time: "${when}"`);

  let signed: number | undefined;
  let from: Col;
  if (refund) {
    from = amounts.has('refund') ? 'refund' : 'refund_requested';
    signed = amounts.get(from);
  } else if (amounts.has('order_amount')) {
    from = 'order_amount';
    signed = amounts.get(from);
  } else {
    from = 'settle';
    const settle = amounts.get('settle');
    signed = settle === undefined ? undefined : settle + (amounts.get('coupon') ?? 0);
  }
  if (signed === undefined) throw row.error('STATEMENT_MISSING_VALUE', from, refund ? 'no refund amount' : 'no order amount');
  if (signed < 0 && !refund && trans_type !== 'void') {
    throw row.error('STATEMENT_SIGN_MISMATCH', from, `a negative amount on a ${status} row`);
  }
  const amount = Math.abs(signed);
  const sub = idOf(row.get('sub_mch'));
  const transaction_id = idOf(row.get('txid'));
  return txn({
    line: row.line,
    source: 'wechat',
    merchant_id: sub !== undefined && sub !== '0' ? sub : idOf(row.get('mch')),
    terminal_id: idOf(row.get('device')),
    datetime,
    trans_type,
    amount_minor: amount,
    currency,
    fee_minor: amounts.get('fee'),
    settle_minor: refund ? (amount === 0 ? 0 : -amount) : amounts.get('settle'),
    transaction_id,
    merchant_order_no: idOf(row.get('order')),
    original_transaction_id: refund ? transaction_id : undefined,
    refund_no: refund ? idOf(row.get('refund_id')) : undefined,
    merchant_refund_no: refund ? idOf(row.get('merchant_refund')) : undefined,
    status,
    raw: row.raw(),
  });
}

function checkSummary(
  head: TextRecord,
  values: TextRecord,
  count: number,
  totals: ReadonlyMap<Col, number>,
  exponent: number,
): Record<string, string> {
  const summary: Record<string, string> = {};
  head.cells.forEach((h, k) => {
    const name = cleanCell(h);
    const value = cleanCell(values.cells[k] ?? '');
    if (name === '') return;
    summary[name] = value;
    const key = headerKey(name);
    if (key === COUNT) {
      if (!/^\d+$/.test(value)) throw new StatementError('STATEMENT_BAD_SUMMARY', `not a count: "${value}"`, { line: values.line, column: name });
      if (Number(value) !== count) {
        throw new StatementError('STATEMENT_SUMMARY_MISMATCH', `the summary says ${value} transactions, the file lists ${count}`, {
          line: values.line,
          column: name,
        });
      }
      return;
    }
    const col = TOTALS[key];
    if (col === undefined || !totals.has(col)) return;
    const minor = parseMinor(value, undefined, exponent);
    if (minor === null) throw new StatementError('STATEMENT_BAD_SUMMARY', `not an amount: "${value}"`, { line: values.line, column: name });
    const sum = totals.get(col)!;
    if (minor !== sum) {
      throw new StatementError('STATEMENT_SUMMARY_MISMATCH', `the summary says ${value}, the rows add up to ${formatMinor(sum, exponent)}`, {
        line: values.line,
        column: name,
      });
    }
  });
  if (!Object.keys(summary).some((k) => headerKey(k) === COUNT)) {
    throw new StatementError('STATEMENT_BAD_SUMMARY', 'the summary has no 总交易单数', { line: head.line });
  }
  return summary;
}

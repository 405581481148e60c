/**
 * Alipay 业务明细 (the merchant's business detail export): GBK, `#` lines before the header
 * (#支付宝业务明细查询, #账号：[2088…], #起始日期：[…] 终止日期：[…]), the header on line 5, one line
 * per trade or refund (ids padded with tabs and spaces; refunds as negative amounts), then `#`
 * footer lines (#-----业务明细列表结束----, #交易合计：N笔，商家实收共计：X元…, #退款合计…,
 * #导出时间：[…]). The 合计 lines are checked against the rows when present: N rows of that 业务类型
 * whose `…（元）` column adds up to each 共计.
 *
 * Per row: 业务类型 交易 → sale, 退款 → refund (else the sign decides). The amount is |订单金额|
 * (else |商家实收|); settle_minor is 商家实收 and fee_minor 服务费, both as printed. The time is
 * 完成时间 (else 创建时间). A refund's 支付宝交易号 is the original trade's, so it is also
 * original_transaction_id, and 退款批次号/请求号 is its refund_no. The account (#账号) is the merchant.
 */
import type { StatementTxn } from '../statement.js';
import { parseDateTimeText } from './datetime.js';
import { StatementError } from './errors.js';
import { txn, type ReadOptions, type StatementImporter } from './importer.js';
import { DEFAULT_AMOUNT_FORMAT, formatMinor, minorExponent, parseMinor } from './money.js';
import type { TextRecord } from './records.js';
import { cleanCell, headerKey, labelValues, locateHeader, streamTable, type ColumnSpec, type Header, type Requirement, type Row } from './table.js';
import { direct, idOf, transTypeOf } from './values.js';

type Col =
  | 'trade_no' | 'order' | 'biz_type' | 'created' | 'finished' | 'store_id' | 'operator' | 'terminal'
  | 'order_amount' | 'received' | 'refund_no' | 'fee';

const COLUMNS: readonly ColumnSpec<Col>[] = [
  { key: 'trade_no', names: ['支付宝交易号'] },
  { key: 'order', names: ['商户订单号'] },
  { key: 'biz_type', names: ['业务类型'] },
  { key: 'created', names: ['创建时间'] },
  { key: 'finished', names: ['完成时间'] },
  { key: 'store_id', names: ['门店编号'] },
  { key: 'operator', names: ['操作员'] },
  { key: 'terminal', names: ['终端号'] },
  { key: 'order_amount', names: ['订单金额（元）', '订单金额'] },
  { key: 'received', names: ['商家实收（元）', '商家实收'] },
  { key: 'refund_no', names: ['退款批次号/请求号', '退款批次号'] },
  { key: 'fee', names: ['服务费（元）', '服务费'] },
];

const REQUIRED: readonly Requirement<Col>[] = [
  { keys: ['trade_no'], name: '支付宝交易号' },
  { keys: ['finished', 'created'], name: '完成时间' },
  { keys: ['order_amount', 'received'], name: '订单金额（元）' },
];

const isComment = (rec: TextRecord): boolean => cleanCell(rec.cells[0] ?? '').startsWith('#');
/** A `#` line's text (a footer may hold commas of its own, which split it into cells). */
const commentText = (rec: TextRecord): string => rec.cells.join(',').replace(/^[\s\ufeff]*#+\s*/u, '').trim();

export const alipayImporter: StatementImporter = {
  format: 'alipay',
  source: 'alipay',
  *read(pieces: Iterable<string>, options: ReadOptions) {
    const { before, header, rows: records } = streamTable(pieces, ',', (head) =>
      locateHeader(head, COLUMNS, REQUIRED, 'the Alipay columns (支付宝交易号, 完成时间, 订单金额（元）…)', 20),
    );

    const summary: Record<string, string> = {};
    for (const rec of before) if (isComment(rec)) Object.assign(summary, labelValues(rec.cells.join(',')));
    const account = idOf(summary['账号']);
    const currency = options.currency ?? 'CNY';
    const exp = minorExponent(currency);

    const groups = new Map<string, Group>(TOTAL_KINDS.map((k) => [k, new Group()]));
    const footers: TextRecord[] = [];
    for (const rec of records) {
      if (isComment(rec)) {
        footers.push(rec);
        continue;
      }
      const row = header.row(rec);
      const t = alipayRow(row, account, currency, exp);
      groups.get(row.get('biz_type') ?? '')?.add(row, header.names.length, exp);
      yield t;
    }
    for (const rec of footers) {
      const line = commentText(rec);
      const total = /^(交易|退款)合计[:：]/u.exec(line);
      if (total) {
        summary[`${total[1]}合计`] = line.slice(total[0].length).trim();
        checkTotal(rec.line, line, total[1]!, header, groups.get(total[1]!)!, exp);
      } else Object.assign(summary, labelValues(line));
    }
    return { language: header.language, merchant_id: account, summary };
  },
};

/** The 业务类型 values a `#…合计` footer totals. */
const TOTAL_KINDS = ['交易', '退款'] as const;

/**
 * The rows of one 业务类型, as a footer checks them: how many, and each column's sum (a footer
 * may name any column, so all are added up; a cell that is not an amount is kept to be named
 * only if a footer asks for its column).
 */
class Group {
  count = 0;
  private readonly sums: number[] = [];
  private readonly bad: ({ line: number; value: string } | undefined)[] = [];

  add(row: Row<Col>, columns: number, exp: number): void {
    this.count++;
    for (let i = 0; i < columns; i++) {
      const v = row.at(i);
      if (v === '' || this.bad[i]) continue;
      const minor = parseMinor(v, DEFAULT_AMOUNT_FORMAT, exp);
      if (minor === null) this.bad[i] = { line: row.line, value: v };
      else this.sums[i] = (this.sums[i] ?? 0) + minor;
    }
  }

  /** The sum of column `at`; refused with the first cell that is not an amount. */
  sum(at: number, column: string): number {
    const bad = this.bad[at];
    if (bad) throw new StatementError('STATEMENT_BAD_AMOUNT', `not an amount: "${bad.value}"`, { line: bad.line, column });
    return this.sums[at] ?? 0;
  }
}

function amountOf(row: Row<Col>, key: Col, exp: number): number | undefined {
  const v = row.get(key);
  if (v === undefined) return undefined;
  const minor = parseMinor(v, DEFAULT_AMOUNT_FORMAT, exp);
  if (minor === null) throw row.error('STATEMENT_BAD_AMOUNT', key, `not an amount: "${v}"`);
  return minor;
}

function alipayRow(row: Row<Col>, account: string | undefined, currency: string, exp: number): StatementTxn {
  const timeKey = row.get('finished') !== undefined ? 'finished' : 'created';
  const when = row.need(timeKey, 'time');
  const datetime = parseDateTimeText(when);
  if (!datetime) throw row.error('STATEMENT_BAD_DATE', timeKey, `not a date and time: "${when}"`);
  const order = amountOf(row, 'order_amount', exp);
  const received = amountOf(row, 'received', exp);
  const signed = order ?? received;
  if (signed === undefined) throw row.error('STATEMENT_MISSING_VALUE', 'order_amount', 'no amount');
  const biz = row.get('biz_type');
  const trans_type = direct(biz === undefined ? null : (transTypeOf(biz) ?? 'other'), signed);
  if (trans_type === null) {
    throw row.error('STATEMENT_SIGN_MISMATCH', order !== undefined ? 'order_amount' : 'received', `a negative amount on a ${biz} row`);
  }
  const refund = trans_type === 'refund';
  const trade = idOf(row.get('trade_no'));
  return txn({
    line: row.line,
    source: 'alipay',
    merchant_id: account,
    terminal_id: idOf(row.get('terminal')),
    datetime,
    trans_type,
    amount_minor: Math.abs(signed),
    currency,
    fee_minor: amountOf(row, 'fee', exp),
    settle_minor: received,
    transaction_id: trade,
    merchant_order_no: idOf(row.get('order')),
    original_transaction_id: refund ? trade : undefined,
    refund_no: refund ? idOf(row.get('refund_no')) : undefined,
    operator_id: idOf(row.get('operator')),
    raw: row.raw(),
  });
}

/** `#交易合计：3笔，商家实收共计：300.00元，商家优惠共计：0.00元` against the rows of that 业务类型. */
function checkTotal(line: number, text: string, kind: string, header: Header<Col>, group: Group, exp: number): void {
  const count = /合计[:：]\s*(\d+)\s*笔/u.exec(text);
  if (!count) throw new StatementError('STATEMENT_BAD_SUMMARY', `no count of ${kind} rows in "${text}"`, { line });
  if (Number(count[1]) !== group.count) {
    throw new StatementError('STATEMENT_SUMMARY_MISMATCH', `${kind}合计 says ${count[1]}笔, the file lists ${group.count} ${kind} rows`, {
      line,
      column: `${kind}合计`,
    });
  }
  for (const m of text.matchAll(/([^\s,，:：;；]+?)共计[:：]\s*([^\s,，;；元]+)\s*元/gu)) {
    const label = m[1]!;
    const at = header.names.findIndex((n) => headerKey(n) === headerKey(`${label}（元）`) || headerKey(n) === headerKey(label));
    if (at < 0) continue;
    const stated = parseMinor(m[2]!, DEFAULT_AMOUNT_FORMAT, exp);
    if (stated === null) throw new StatementError('STATEMENT_BAD_SUMMARY', `not an amount: "${m[2]}"`, { line, column: `${label}共计` });
    const sum = group.sum(at, header.names[at]!);
    if (sum !== stated) {
      throw new StatementError(
        'STATEMENT_SUMMARY_MISMATCH',
        `${kind}合计 says ${label} ${m[2]}元, the ${kind} rows add up to ${formatMinor(sum, exp)}`,
        { line, column: `${label}共计` },
      );
    }
  }
}

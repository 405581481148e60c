/**
 * A bank / acquirer POS 对账单 (or its English counterpart): one line per card transaction with
 * merchant and terminal ids, batch, voucher (凭证号 / STAN), reference number (参考号 / RRN),
 * masked card, amount, fee and settled amount. Layouts differ from bank to bank, so columns are
 * found by their names (the aliases below, Chinese and English), the header line may follow a
 * block of `商户编号：…` lines, and `合计` / `Total` lines at the end are kept as the summary.
 * Comma-, tab-, `|`- or `;`-separated; GBK or UTF-8, with or without a BOM (text.ts). Voids and refunds are told by the type column
 * (消费撤销, 退货, VOID, REFUND…) and, without one, by a negative amount.
 */
import type { TransType } from '../../receipt/fields/types.js';
import { tableTxns, type Field } from './fields.js';
import type { ReadOptions, StatementImporter } from './importer.js';
import { DEFAULT_AMOUNT_FORMAT } from './money.js';
import type { TextRecord } from './records.js';
import { cleanCell, headerKey, headRecords, labelValues, locateHeader, tableFrom, takeHead, type ColumnSpec, type Requirement, type StreamTable } from './table.js';
import { idOf, transTypeOf } from './values.js';

export const ACQUIRER_COLUMNS: readonly ColumnSpec<Field>[] = [
  { key: 'merchant_id', names: ['商户号', '商户编号', '商户代码', '商户编码', 'Merchant ID', 'Merchant No', 'Merchant Number', 'MID'] },
  { key: 'terminal_id', names: ['终端号', '终端编号', '终端代码', 'Terminal ID', 'Terminal No', 'Terminal Number', 'Terminal', 'TID'] },
  { key: 'datetime', names: ['交易日期时间', '交易日期和时间', 'Date/Time', 'DateTime', 'Date Time', 'Transaction Date/Time', 'Transaction DateTime', 'Txn Date/Time', 'Timestamp'] },
  { key: 'date', names: ['交易日期', '日期', '清算日期', 'Date', 'Transaction Date', 'Txn Date', 'Trans Date'] },
  { key: 'time', names: ['交易时间', '时间', 'Time', 'Transaction Time', 'Txn Time', 'Trans Time'] },
  { key: 'trans_type', names: ['交易类型', '交易名称', '交易种类', 'Type', 'Transaction Type', 'Txn Type', 'Trans Type'] },
  { key: 'amount', names: ['交易金额', '金额', '交易本金', 'Amount', 'Transaction Amount', 'Txn Amount', 'Trans Amount'] },
  { key: 'fee', names: ['手续费', '手续费金额', '商户手续费', 'Fee', 'Fees', 'Fee Amount', 'Commission', 'MDR'] },
  { key: 'settle', names: ['结算金额', '清算金额', '入账金额', '应结算金额', '净额', 'Net', 'Net Amount', 'Settlement Amount', 'Settled Amount'] },
  { key: 'currency', names: ['币种', '交易币种', '货币', 'Currency', 'Currency Code'] },
  { key: 'card_number', names: ['卡号', '交易卡号', '银行卡号', 'Card Number', 'Card No', 'Card', 'PAN', 'Masked PAN'] },
  { key: 'batch_no', names: ['批次号', '批次', '批次号码', 'Batch', 'Batch No', 'Batch Number'] },
  { key: 'trace_no', names: ['凭证号', '流水号', '终端流水号', 'POS流水号', '系统跟踪号', 'Trace', 'Trace No', 'STAN', 'Trace/STAN', 'Voucher', 'Voucher No'] },
  { key: 'reference_no', names: ['参考号', '系统参考号', '检索参考号', '交易参考号', 'RRN', 'Reference No', 'Ref No', 'Reference Number', 'Retrieval Reference Number'] },
  { key: 'auth_code', names: ['授权码', '授权号', 'Auth Code', 'Approval Code', 'Authorization Code', 'Auth', 'Auth No'] },
  { key: 'original_trace_no', names: ['原凭证号', '原流水号', '原交易凭证号', 'Original Trace', 'Orig Trace', 'Original STAN', 'Orig STAN', 'Original Trace No'] },
  { key: 'original_reference_no', names: ['原参考号', '原系统参考号', '原检索参考号', '原交易参考号', 'Original RRN', 'Orig RRN', 'Original Reference No'] },
  { key: 'merchant_order_no', names: ['订单号', '商户订单号', 'Order No', 'Order ID', 'Order Number'] },
  { key: 'operator_id', names: ['操作员', '操作员号', '收银员', 'Operator', 'Cashier', 'Operator ID'] },
  { key: 'status', names: ['交易状态', '状态', '应答码', 'Status', 'Response Code'] },
];

const REQUIRED: readonly Requirement<Field>[] = [
  { keys: ['amount'], name: '交易金额 / Amount' },
  { keys: ['datetime', 'date', 'time'], name: '交易时间 / Date' },
];

const FOOTER = /^(?:合计|总计|小计|汇总|共计|总笔数|#|total\b|grand\s*total|sub\s*total|summary)/iu;
const MERCHANT_LABEL = new Set(['商户号', '商户编号', '商户代码', 'merchantid', 'merchantno', 'mid'].map(headerKey));

/** `商户编号：898…` lines before the header: label → value. */
function preamble(records: readonly TextRecord[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rec of records) for (const cell of rec.cells) Object.assign(out, labelValues(cell));
  return out;
}

const DELIMITERS = [',', '\t', '|', ';'] as const;

/**
 * The records and header line. Banks export with commas, tabs (a spreadsheet saved as text), `|`
 * or `;`: the delimiters are tried from the most frequent in the first lines, and the first one
 * under which a header line is found among the first lines wins.
 */
function readStatement(pieces: Iterable<string>): StreamTable<Field> {
  const head = takeHead(pieces, 160);
  const top = head.text.split('\n', 40).join('\n');
  const count = (d: string): number => top.split(d).length - 1;
  const order = [...DELIMITERS].sort((a, b) => count(b) - count(a));
  let first: unknown;
  for (const d of order) {
    if (d !== ',' && count(d) === 0) continue;
    try {
      const records = headRecords(head, d, 60);
      return tableFrom(head, d, records, locateHeader(records, ACQUIRER_COLUMNS, REQUIRED, 'an amount (交易金额 / Amount) and a date (交易时间 / Date)'));
    } catch (err) {
      first ??= err;
    }
  }
  throw first;
}

const typeOf = (cell: string): TransType | 'unknown' => transTypeOf(cell) ?? 'unknown';

export const acquirerImporter: StatementImporter = {
  format: 'acquirer-csv',
  source: 'acquirer',
  *read(pieces: Iterable<string>, options: ReadOptions) {
    const { before, header, rows: records } = readStatement(pieces);
    const pre = preamble(before);
    const fileMerchant = Object.entries(pre).find(([k]) => MERCHANT_LABEL.has(headerKey(k)))?.[1];

    const summary: Record<string, string> = { ...pre };
    const rows = (function* () {
      for (const rec of records) {
        const first = cleanCell(rec.cells.find((c) => cleanCell(c) !== '') ?? '');
        if (FOOTER.test(first)) {
          const rest = rec.cells.map(cleanCell).filter((c) => c !== '' && c !== first);
          summary[first] = rest.join(' ');
        } else yield header.row(rec);
      }
    })();
    const dateKey = header.has('datetime') ? 'datetime' : header.has('date') ? 'date' : 'time';
    yield* tableTxns(
      rows,
      dateKey,
      {
        source: 'acquirer',
        amount: DEFAULT_AMOUNT_FORMAT,
        sign: 'signed',
        currency: options.currency ?? 'CNY',
        merchant_id: idOf(fileMerchant),
        typeOf,
        // Banks name their types many ways; one the rules do not know is kept (raw shows it).
        unknownType: 'other',
      },
      options.dayOrder,
    );
    return { language: header.language, merchant_id: idOf(fileMerchant), summary };
  },
};

/**
 * A POS sales log: the shop system's own record of what it sold, a third source beside the
 * receipts and the acquirer's statement (a sale in the log with no receipt is a print failure; a
 * card sale in the log with no statement row never reached the bank).
 *
 * Shape (documented in the README): CSV with a header line, or JSON — an array of objects, an
 * object `{ "merchant_id"?, "currency"?, "sales": [ … ] }`, or JSON Lines (one object a line).
 * Keys / headers, case and `_`/space insensitive:
 *   receipt_no (required)   receipt, receipt_number, 小票号, 单据号
 *   datetime   (required)   or date + time; ISO 8601 local ("2026-11-20T09:10:00") or the spellings
 *                           the other formats accept
 *   amount     (required)   major units as text "128.10" (a JSON number is read through its
 *                           shortest decimal form, exact up to 15 digits), or amount_minor (12810)
 *   type                    sale | refund | void (销售, 退货, 作废… too); without it the sign decides
 *   terminal_id, operator_id (cashier), payment_method (card, cash, wechat, alipay, unionpay_qr…),
 *   merchant_order_no (order_no), merchant_id, currency, card_last4, card_number (masked),
 *   reference_no (rrn), trace_no (stan), auth_code, batch_no, transaction_id, status.
 * `line` is the line a row (CSV) or its object (JSON) starts on.
 */
import { StatementError } from './errors.js';
import { tableTxns, type Field } from './fields.js';
import { jsonErrorOffset } from './json-position.js';
import type { ReadOptions, StatementImporter } from './importer.js';
import { DEFAULT_AMOUNT_FORMAT } from './money.js';
import { streamRecords, type TextRecord } from './records.js';
import { Header, locateHeader, type ColumnSpec, type Requirement } from './table.js';
import { currencyOf, idOf, transTypeOf } from './values.js';

export const SALES_LOG_COLUMNS: readonly ColumnSpec<Field>[] = [
  { key: 'receipt_no', names: ['receipt_no', 'receipt', 'receipt_number', 'receipt_id', '小票号', '单据号', '小票编号'] },
  { key: 'datetime', names: ['datetime', 'date_time', 'timestamp', 'sold_at', '交易时间', '时间'] },
  { key: 'date', names: ['date', '日期', '交易日期'] },
  { key: 'time', names: ['time'] },
  { key: 'amount', names: ['amount', 'total', '金额', '实收金额', '交易金额'] },
  { key: 'amount_minor', names: ['amount_minor', 'total_minor'] },
  { key: 'trans_type', names: ['type', 'trans_type', 'transaction_type', '类型', '交易类型'] },
  { key: 'terminal_id', names: ['terminal_id', 'terminal', 'pos', 'pos_id', 'till', '终端号', '收银机号'] },
  { key: 'operator_id', names: ['operator_id', 'operator', 'cashier', 'cashier_id', '收银员', '操作员'] },
  { key: 'payment_method', names: ['payment_method', 'payment', 'tender', '支付方式', '付款方式'] },
  { key: 'merchant_order_no', names: ['merchant_order_no', 'order_no', 'order_id', 'order', '订单号'] },
  { key: 'merchant_id', names: ['merchant_id', 'mid', '商户号'] },
  { key: 'currency', names: ['currency', '币种'] },
  { key: 'card_last4', names: ['card_last4', 'last4'] },
  { key: 'card_number', names: ['card_number', 'masked_pan', '卡号'] },
  { key: 'reference_no', names: ['reference_no', 'rrn', '参考号'] },
  { key: 'trace_no', names: ['trace_no', 'stan', 'voucher_no', '凭证号'] },
  { key: 'auth_code', names: ['auth_code', '授权码'] },
  { key: 'batch_no', names: ['batch_no', '批次号'] },
  { key: 'transaction_id', names: ['transaction_id', '交易单号'] },
  { key: 'status', names: ['status', '状态'] },
];

const REQUIRED: readonly Requirement<Field>[] = [
  { keys: ['receipt_no'], name: 'receipt_no' },
  { keys: ['datetime', 'date', 'time'], name: 'datetime' },
  { keys: ['amount', 'amount_minor'], name: 'amount' },
];

type Scalar = string | number | boolean | null;

interface JsonTable {
  readonly keys: readonly string[];
  readonly records: readonly TextRecord[];
  readonly merchant_id?: string;
  readonly currency?: string;
}

/** The 1-based line of every offset in `starts`. */
function linesAt(text: string, starts: readonly number[]): number[] {
  const out: number[] = [];
  let line = 1;
  let pos = 0;
  for (const at of starts) {
    for (; pos < at; pos++) if (text.charCodeAt(pos) === 10) line++;
    out.push(line);
  }
  return out;
}

/**
 * Where each element object of the sales array starts: a top-level array's elements, or those
 * of the top-level object's "sales" array. A scan of the text (JSON.parse gives no positions).
 */
function elementStarts(text: string): number[] {
  const starts: number[] = [];
  const stack: { kind: '{' | '['; sales: boolean }[] = [];
  let lastString: string | null = null;
  let pendingKey: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      lastString = text.slice(i + 1, j);
      i = j;
      continue;
    }
    if (c === ':') {
      pendingKey = lastString;
      continue;
    }
    if (c === '{' || c === '[') {
      const parent = stack[stack.length - 1];
      if (c === '{' && parent?.kind === '[' && parent.sales) starts.push(i);
      const sales = c === '[' && (stack.length === 0 || (stack.length === 1 && parent?.kind === '{' && pendingKey === 'sales'));
      stack.push({ kind: c, sales });
      pendingKey = null;
    } else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') pendingKey = null;
  }
  return starts;
}

function syntaxLine(text: string): number | undefined {
  const at = jsonErrorOffset(text);
  return at >= 0 ? linesAt(text, [at])[0] : undefined;
}

const firstLine = (err: unknown): string => String((err as Error).message ?? err).split('\n')[0]!;

const cell = (v: unknown): string | null =>
  v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;

function table(objects: readonly unknown[], lines: readonly number[]): { keys: string[]; records: TextRecord[] } {
  const keys: string[] = [];
  const index = new Map<string, number>();
  for (const [n, o] of objects.entries()) {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      throw new StatementError('STATEMENT_JSON_SYNTAX', 'a sale is not a JSON object', { line: lines[n] ?? n + 1 });
    }
    for (const k of Object.keys(o)) if (!index.has(k)) index.set(k, keys.push(k) - 1);
  }
  const records = objects.map((o, n) => {
    const cells = keys.map(() => '');
    for (const [k, v] of Object.entries(o as Record<string, Scalar>)) {
      const s = cell(v);
      if (s === null) throw new StatementError('STATEMENT_JSON_SYNTAX', 'a value is an object or array, not text or a number', { line: lines[n] ?? n + 1, column: k });
      cells[index.get(k)!] = s;
    }
    return { line: lines[n] ?? n + 1, cells };
  });
  return { keys, records };
}

function readJson(text: string): JsonTable {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    // JSON Lines: one object a line (the first line alone is a whole object).
    const lines = text.replace(/\r\n?/g, '\n').split('\n');
    if (jsonErrorOffset(lines.find((l) => l.trim() !== '') ?? '') < 0 && text.trimStart().startsWith('{')) {
      const objects: unknown[] = [];
      const at: number[] = [];
      lines.forEach((l, n) => {
        if (l.trim() === '') return;
        try {
          objects.push(JSON.parse(l));
        } catch (e) {
          throw new StatementError('STATEMENT_JSON_SYNTAX', `not JSON: ${firstLine(e)}`, { line: n + 1 });
        }
        at.push(n + 1);
      });
      return table(objects, at);
    }
    const line = syntaxLine(text);
    throw new StatementError('STATEMENT_JSON_SYNTAX', `not JSON: ${firstLine(err)}`, line !== undefined ? { line } : {});
  }
  const starts = linesAt(text, elementStarts(text));
  if (Array.isArray(doc)) return table(doc, starts);
  if (typeof doc === 'object' && doc !== null && Array.isArray((doc as { sales?: unknown }).sales)) {
    const d = doc as { sales: unknown[]; merchant_id?: unknown; currency?: unknown };
    return {
      ...table(d.sales, starts),
      ...(typeof d.merchant_id === 'string' || typeof d.merchant_id === 'number' ? { merchant_id: String(d.merchant_id) } : {}),
      ...(typeof d.currency === 'string' ? { currency: d.currency } : {}),
    };
  }
  if (typeof doc === 'object' && doc !== null) return table([doc], [1]);
  throw new StatementError('STATEMENT_JSON_SYNTAX', 'expected an array of sales or an object with a "sales" array');
}

const typeOf = (c: string) => transTypeOf(c) ?? 'unknown';

export const salesLogImporter: StatementImporter = {
  format: 'sales-log',
  source: 'sales-log',
  *read(pieces: Iterable<string>, options: ReadOptions) {
    // Up to the first text that is not blank: `[` or `{` opens JSON, else a CSV header.
    const it = pieces[Symbol.iterator]();
    let start = '';
    for (let next = it.next(); !next.done; next = it.next()) {
      start += next.value;
      if (start.trimStart() !== '') break;
    }
    const trimmed = start.trimStart();
    if (trimmed === '') throw new StatementError('STATEMENT_EMPTY_FILE', 'the file holds only blank space');
    const text = (function* () {
      yield start;
      for (let next = it.next(); !next.done; next = it.next()) yield next.value;
    })();
    let header: Header<Field>;
    let records: Iterable<TextRecord>;
    let merchant: string | undefined;
    let currency = options.currency ?? 'CNY';
    if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
      // JSON is read whole (JSON.parse); sales logs are one store's day.
      let whole = '';
      for (const piece of text) whole += piece;
      const t = readJson(whole);
      if (t.records.length === 0) throw new StatementError('STATEMENT_NO_ROWS', 'the file holds no sales');
      header = locateHeader([{ line: t.records[0]!.line, cells: t.keys }], SALES_LOG_COLUMNS, REQUIRED, 'receipt_no, datetime and amount', 1).header;
      records = t.records;
      merchant = idOf(t.merchant_id);
      if (t.currency !== undefined) {
        const code = currencyOf(t.currency);
        if (!code) throw new StatementError('STATEMENT_BAD_CURRENCY', `not a currency: "${t.currency}"`, { column: 'currency' });
        currency = code;
      }
    } else {
      const all = streamRecords(text)[Symbol.iterator]();
      const first = all.next();
      const found = locateHeader(first.done ? [] : [first.value], SALES_LOG_COLUMNS, REQUIRED, 'receipt_no, datetime and amount', 1);
      header = found.header;
      records = { [Symbol.iterator]: () => all };
    }
    const h = header;
    const rows = (function* () {
      for (const r of records) yield h.row(r);
    })();
    const dateKey = header.has('datetime') ? 'datetime' : header.has('date') ? 'date' : 'time';
    yield* tableTxns(
      rows,
      dateKey,
      { source: 'sales-log', amount: DEFAULT_AMOUNT_FORMAT, sign: 'signed', currency, merchant_id: merchant, typeOf, unknownType: 'error' },
      options.dayOrder,
      (r) => void r.need('receipt_no', 'receipt number'),
    );
    return { language: header.language, merchant_id: merchant };
  },
};

/**
 * A generated day (reconcile.ts) as head office receives it: the statement files finance imports
 * (the acquirer statements F1 in Chinese and F2 in English, the WeChat Pay bill F3, the sales log
 * F4 of the first store), the receipt batches and printer health events the shops' agents send
 * (docs/sync-protocol.md). Used by the end-to-end tests and the reconcile benchmark, so that the
 * whole path — importers, storage, matcher — is exercised, not the matcher's input alone.
 *
 * Each file has its header on line 1 and the generator's rows in order from line 2: the generator
 * names a row `F1:7`, the importer puts it on line 7, and storage calls it `${fileId}:7`.
 *
 * One liberty: the generator gives a wallet refund its own transaction id (the refund slip prints
 * it), so the WeChat bill's 微信订单号 column carries that id on refund rows (a real bill carries
 * the paid order's id there and the refund's in 微信退款单号).
 */
import { randomUUID } from 'node:crypto';
import iconv from 'iconv-lite';
import { canonicalJson, sha256Hex } from '../../src/store/canonical.js';
import type { HeldReceipt } from '../../src/server/matcher/types.js';
import type { StatementTxn } from '../../src/server/statement.js';
import type { GeneratedDay } from './reconcile.js';
import { yuan } from './statements.js';

export interface DayFile {
  /** The generator's file: F1 F2 F3 F4. */
  readonly key: string;
  readonly format: 'acquirer-csv' | 'wechat' | 'sales-log';
  readonly name: string;
  readonly bytes: Buffer;
  /** For the sales log: the store it is for (import-statement --store). */
  readonly store?: string;
}

const csvLine = (cells: readonly string[]): string => cells.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');

const ACQ_ZH: Record<string, string> = { sale: '消费', void: '消费撤销', refund: '退货', preauth: '预授权', preauth_complete: '预授权完成', preauth_void: '预授权撤销' };
const ACQ_EN: Record<string, string> = { sale: 'SALE', void: 'VOID', refund: 'REFUND', preauth: 'PRE-AUTH', preauth_complete: 'PRE-AUTH COMPLETION', preauth_void: 'PRE-AUTH VOID' };

function acquirerZh(rows: readonly StatementTxn[]): Buffer {
  const header = ['商户号', '终端号', '交易日期', '交易时间', '交易类型', '批次号', '凭证号', '参考号', '授权码', '卡号', '交易金额', '原凭证号', '原参考号'];
  const lines = [csvLine(header)];
  for (const t of rows) {
    lines.push(
      csvLine([
        t.merchant_id ?? '', t.terminal_id ?? '', t.datetime.slice(0, 10), t.datetime.slice(11, 19), ACQ_ZH[t.trans_type]!, t.batch_no ?? '',
        t.trace_no ?? '', t.reference_no ?? '', t.auth_code ?? '', t.card_number ?? '', yuan(t.amount_minor), t.original_trace_no ?? '',
        t.original_reference_no ?? '',
      ]),
    );
  }
  return iconv.encode(`${lines.join('\r\n')}\r\n`, 'gbk');
}

function acquirerEn(rows: readonly StatementTxn[]): Buffer {
  const header = ['Merchant ID', 'Terminal ID', 'Date/Time', 'Type', 'Batch', 'Trace/STAN', 'RRN', 'Auth Code', 'Card Number', 'Amount', 'Orig STAN', 'Orig RRN'];
  const lines = [csvLine(header)];
  for (const t of rows) {
    lines.push(
      csvLine([
        t.merchant_id ?? '', t.terminal_id ?? '', t.datetime.replace('T', ' '), ACQ_EN[t.trans_type]!, t.batch_no ?? '', t.trace_no ?? '',
        t.reference_no ?? '', t.auth_code ?? '', t.card_number ?? '', yuan(t.amount_minor), t.original_trace_no ?? '', t.original_reference_no ?? '',
      ]),
    );
  }
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

const WECHAT_HEADER = [
  '交易时间', '公众账号ID', '商户号', '特约商户号', '设备号', '微信订单号', '商户订单号', '用户标识', '交易类型', '交易状态', '付款银行', '货币种类',
  '应结订单金额', '代金券金额', '微信退款单号', '商户退款单号', '退款金额', '充值券退款金额', '退款类型', '退款状态', '商品名称', '商户数据包', '手续费',
  '费率', '订单金额', '申请退款金额', '费率备注',
];

function wechatBill(rows: readonly StatementTxn[]): Buffer {
  const bt = (s: string): string => `\`${s}`;
  const lines = [WECHAT_HEADER.join(',')];
  const sum = { settle: 0, refund: 0, fee: 0, order: 0, requested: 0 };
  for (const t of rows) {
    const refund = t.trans_type === 'refund';
    const fee = Math.round((t.amount_minor * 6) / 1000);
    const rowFee = refund ? -fee : fee;
    const cells: Record<string, string> = {
      交易时间: t.datetime.replace('T', ' '),
      公众账号ID: 'wx2421b1c4370ec43b',
      商户号: t.merchant_id ?? '',
      特约商户号: '0',
      设备号: '',
      微信订单号: t.transaction_id ?? '',
      商户订单号: t.merchant_order_no ?? '',
      用户标识: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      交易类型: 'MICROPAY',
      交易状态: refund ? 'REFUND' : 'SUCCESS',
      付款银行: 'OTHERS',
      货币种类: 'CNY',
      应结订单金额: yuan(t.amount_minor),
      代金券金额: '0.00',
      微信退款单号: refund ? (t.transaction_id ?? '') : '0',
      商户退款单号: refund ? (t.merchant_order_no ?? '') : '0',
      退款金额: yuan(refund ? t.amount_minor : 0),
      充值券退款金额: '0.00',
      退款类型: refund ? 'ORIGINAL' : '',
      退款状态: refund ? 'SUCCESS' : '',
      商品名称: '商品',
      商户数据包: '',
      手续费: yuan(rowFee),
      费率: '0.60%',
      订单金额: yuan(t.amount_minor),
      申请退款金额: yuan(refund ? t.amount_minor : 0),
      费率备注: '',
    };
    lines.push(WECHAT_HEADER.map((h) => bt(cells[h]!)).join(','));
    sum.settle += t.amount_minor;
    sum.order += t.amount_minor;
    sum.fee += rowFee;
    if (refund) {
      sum.refund += t.amount_minor;
      sum.requested += t.amount_minor;
    }
  }
  lines.push('总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额');
  lines.push([String(rows.length), yuan(sum.settle), yuan(sum.refund), '0.00', yuan(sum.fee), yuan(sum.order), yuan(sum.requested)].map(bt).join(','));
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

function salesLog(rows: readonly StatementTxn[]): Buffer {
  const lines = ['receipt_no,datetime,amount,type,cashier,currency'];
  for (const t of rows) lines.push(csvLine([t.receipt_no ?? '', t.datetime, yuan(t.amount_minor), t.trans_type, t.operator_id ?? '', t.currency]));
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

/** The day's statement files, with the generator's rows on lines 2, 3, … */
export function dayFiles(day: GeneratedDay): DayFile[] {
  const byFile = new Map<string, { line: number; txn: StatementTxn; store?: string }[]>();
  for (const s of day.input.statements) {
    const [key, line] = s.id.split(':') as [string, string];
    const list = byFile.get(key) ?? [];
    list.push({ line: Number(line), txn: s.txn, ...(s.store ? { store: s.store } : {}) });
    byFile.set(key, list);
  }
  const files: DayFile[] = [];
  for (const [key, list] of [...byFile].sort()) {
    list.sort((a, b) => a.line - b.line);
    list.forEach((r, i) => {
      if (r.line !== i + 2) throw new Error(`generator: ${key} rows are not on consecutive lines`);
    });
    const rows = list.map((r) => r.txn);
    const source = rows[0]!.source;
    if (source === 'wechat') files.push({ key, format: 'wechat', name: `${key}-wechat.csv`, bytes: wechatBill(rows) });
    else if (source === 'sales-log') files.push({ key, format: 'sales-log', name: `${key}-sales.csv`, bytes: salesLog(rows), store: list[0]!.store! });
    else if (key === 'F1') files.push({ key, format: 'acquirer-csv', name: `${key}-acquirer-zh.csv`, bytes: acquirerZh(rows) });
    else files.push({ key, format: 'acquirer-csv', name: `${key}-acquirer-en.csv`, bytes: acquirerEn(rows) });
  }
  return files;
}

// ---- what the agents send ------------------------------------------------------------------------

/** A decoded receipt (decode --json's shape) carrying the generator's fields. */
export function decodedOf(r: HeldReceipt, seq: number): Record<string, unknown> {
  const f = r.fields;
  const text = [f.merchant_id && `MID ${f.merchant_id}`, f.terminal_id && `TID ${f.terminal_id}`, f.trans_type, f.amount_minor ?? f.total_minor]
    .filter((x) => x !== undefined && x !== '')
    .join('\n');
  return {
    seq,
    text: `${text}\n`,
    lines: text.split('\n').map((t) => ({ text: t })),
    barcodes: [],
    images: [],
    cut: 'full',
    bytes: { start: 0, end: text.length },
    fields: f,
    warnings: [],
  };
}

export interface AgentBatch {
  readonly store: string;
  readonly body: { device: Record<string, unknown>; receipts?: unknown[]; events?: unknown[] };
}

const device = (id: string, terminal: string | null): Record<string, unknown> => ({ id, terminal, version: '0.1.0', clock_ms: Date.now() });

/** The day's receipts as POST /api/v1/receipts bodies: per device, in capture order, at most `size` each. */
export function receiptBatches(day: GeneratedDay, size = 1000): AgentBatch[] {
  const byDevice = new Map<string, HeldReceipt[]>();
  for (const r of day.input.receipts) {
    const list = byDevice.get(r.device) ?? [];
    list.push(r);
    byDevice.set(r.device, list);
  }
  const out: AgentBatch[] = [];
  for (const [dev, list] of [...byDevice].sort()) {
    list.sort((a, b) => Date.parse(a.captured_at) - Date.parse(b.captured_at) || (a.id < b.id ? -1 : 1));
    for (let i = 0; i < list.length; i += size) {
      const part = list.slice(i, i + size);
      out.push({
        store: part[0]!.store,
        body: {
          device: device(dev, part[0]!.terminal),
          receipts: part.map((r, k) => {
            const receipt = decodedOf(r, i + k);
            return {
              id: r.id,
              seq: i + k + 1,
              revision: 0,
              sha256: sha256Hex(canonicalJson(receipt)),
              captured_at: r.captured_at,
              printer: r.printer,
              print_status: r.print_status,
              print_reason: r.print_reason,
              receipt,
            };
          }),
        },
      });
    }
  }
  return out;
}

const CONDITION: Record<string, { kind: string; state: string; ok: string }> = {
  paper_out: { kind: 'paper', state: 'out', ok: 'ok' },
  cover_open: { kind: 'cover', state: 'open', ok: 'closed' },
  offline: { kind: 'online', state: 'offline', ok: 'online' },
  no_response: { kind: 'online', state: 'no_response', ok: 'online' },
  error: { kind: 'error', state: 'unrecoverable', ok: 'none' },
};

/** The day's printer trouble as POST /api/v1/health-events bodies: a start and an end event per interval. */
export function healthBatches(day: GeneratedDay): AgentBatch[] {
  return (day.input.health ?? []).map((h, i) => {
    const c = CONDITION[h.condition]!;
    const events: unknown[] = [
      { id: randomUUID(), seq: 2 * i + 1, printer: h.printer, at: h.start, kind: c.kind, state: c.state, previous: c.ok, duration_ms: null, detail: null },
    ];
    if (h.end) {
      events.push({
        id: randomUUID(), seq: 2 * i + 2, printer: h.printer, at: h.end, kind: c.kind, state: c.ok, previous: c.state,
        duration_ms: Date.parse(h.end) - Date.parse(h.start), detail: null,
      });
    }
    return { store: h.store, body: { device: device(`dev-${h.store}-${h.printer}`, `${h.store}-${h.printer}`), events } };
  });
}

/**
 * The normalised statement transaction: what every importer (src/server/importers/) produces from
 * a WeChat / Alipay / acquirer / generic statement or a POS sales log, and what the matcher
 * (src/server/matcher/) sets against captured receipts. Shared by both so neither defines it.
 *
 * Formats follow the receipt fields (src/receipt/fields/types.ts): ids as printed (spaces removed,
 * leading zeros kept), `datetime` ISO 8601 local without zone, money in integer minor units.
 */
import type { TransType } from '../receipt/fields/types.js';

export type StatementSource = 'wechat' | 'alipay' | 'acquirer' | 'generic' | 'sales-log';

/** The language a statement is written in; explanations are given in it (and both are kept). */
export type StatementLanguage = 'zh' | 'en';

export interface StatementTxn {
  /** Stable id of the row: `${fileId}:${line}` once stored; importers set `line` and leave it to storage. */
  readonly line: number;
  readonly source: StatementSource;
  readonly merchant_id?: string;
  readonly terminal_id?: string;
  /** When the transaction happened, local time: "2026-11-20T09:10:00". */
  readonly datetime: string;
  readonly trans_type: TransType;
  /**
   * The transaction's amount as a magnitude (always ≥ 0); the direction is in trans_type
   * (refund / void move money back). A statement printing refunds as negative rows is normalised.
   */
  readonly amount_minor: number;
  readonly currency: string;
  /** The fee (手续费 / 服务费), signed as the statement gives it (a refunded fee may be negative). */
  readonly fee_minor?: number;
  /** Settled amount, signed as the statement gives it (negative for refunds). */
  readonly settle_minor?: number;
  /** Masked card number as the statement prints it ("622588******1234"), when present. */
  readonly card_number?: string;
  readonly card_last4?: string;
  readonly batch_no?: string;
  /** 凭证号 / voucher / STAN. */
  readonly trace_no?: string;
  /** 参考号 / RRN. */
  readonly reference_no?: string;
  readonly auth_code?: string;
  /** Wallet: the platform's order / transaction number (微信订单号, 支付宝交易号). */
  readonly transaction_id?: string;
  /** Wallet or POS: the merchant's own order number (商户订单号). */
  readonly merchant_order_no?: string;
  /** For voids and refunds: the original transaction's numbers, when the statement gives them. */
  readonly original_reference_no?: string;
  readonly original_trace_no?: string;
  readonly original_transaction_id?: string;
  /** Wallet refunds: the platform's refund number (微信退款单号, Alipay 退款批次号/请求号). */
  readonly refund_no?: string;
  /** Wallet refunds: the merchant's own refund number (商户退款单号). */
  readonly merchant_refund_no?: string;
  /** Sales logs: card | cash | wechat | alipay | unionpay_qr | other (the receipt field's vocabulary). */
  readonly payment_method?: string;
  /** Sales logs: the POS receipt number and the cashier. */
  readonly receipt_no?: string;
  readonly operator_id?: string;
  /** Wallet status column (SUCCESS, REFUND, 交易成功…) as printed, when there is one. */
  readonly status?: string;
  /** The row as read, header name → value (cleaned of backticks / tabs), for the evidence view. */
  readonly raw: Readonly<Record<string, string>>;
}

/** One imported file, before storage gives it an id. */
export interface ParsedStatement {
  readonly source: StatementSource;
  /** The format name given on the command line (`wechat`, `alipay`, `acquirer-csv`, `generic`, `sales-log`). */
  readonly format: string;
  /** The text encoding found or given: "utf-8", "utf-8-bom", "gbk". */
  readonly encoding: string;
  readonly language: StatementLanguage;
  /** Merchant the file is for, when the file says (header block or a single MID column). */
  readonly merchant_id?: string;
  /** First and last transaction date (YYYY-MM-DD) in the file. */
  readonly date_from: string;
  readonly date_to: string;
  /** SHA-256 (hex) of the file's bytes. */
  readonly content_sha256: string;
  readonly rows: readonly StatementTxn[];
  /** Summary lines the file carried (WeChat 总交易单数…, Alipay footer), checked against the rows. */
  readonly summary?: Readonly<Record<string, string>>;
}

/** A file as storage needs it besides its rows (read a slice at a time): known once the last row is read. */
export type StatementHead = Omit<ParsedStatement, 'rows'> & { readonly row_count: number };

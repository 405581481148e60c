/**
 * Receipt fields (shared/docs/contract.md, "Receipt fields"): what head office reconciles on.
 * Names are snake_case; a field is absent when the receipt does not print it. Formats:
 *   ids (merchant_id, terminal_id, operator_id, batch_no, trace_no, auth_code, reference_no,
 *     original_trace_no, original_reference_no, receipt_no, merchant_order_no, transaction_id)
 *     — the printed value, spaces removed, leading zeros kept: "000123";
 *   card_number — masked, first 6 + last 4 at most, the rest `*`: "622588******1234";
 *   trans_type — sale void refund preauth preauth_complete preauth_void balance settlement other;
 *   datetime — ISO 8601 local, no zone: "2026-11-20T09:10:00" (seconds ":00" when not printed);
 *   amount_minor, total_minor, tip_minor — integer minor units (128.00 → 12800);
 *   currency — ISO 4217 ("CNY" for RMB, ¥, ￥, 人民币);
 *   reprint — true when the slip says 重打印 / REPRINT / DUPLICATE(D) (absent otherwise);
 *   copy — merchant | cardholder | bank (商户存根 / 持卡人存根 / 银行存根);
 *   test — true on a test slip; fault — true on a failed / declined transaction slip;
 *   payment_method — card | cash | wechat | alipay | unionpay_qr | other (retail and wallet slips);
 *   items — retail line items, where the layout allows.
 */
export interface LineItem {
  readonly name: string;
  readonly qty?: number;
  readonly amount_minor?: number;
}

export type TransType =
  | 'sale'
  | 'void'
  | 'refund'
  | 'preauth'
  | 'preauth_complete'
  | 'preauth_void'
  | 'balance'
  | 'settlement'
  | 'other';

export type CopyKind = 'merchant' | 'cardholder' | 'bank';

export interface ReceiptFieldSet {
  merchant_name?: string;
  merchant_id?: string;
  terminal_id?: string;
  operator_id?: string;
  card_number?: string;
  issuer?: string;
  acquirer?: string;
  trans_type?: TransType;
  batch_no?: string;
  trace_no?: string;
  auth_code?: string;
  reference_no?: string;
  original_trace_no?: string;
  original_reference_no?: string;
  datetime?: string;
  amount_minor?: number;
  tip_minor?: number;
  currency?: string;
  reprint?: boolean;
  copy?: CopyKind;
  test?: boolean;
  fault?: boolean;
  entry_mode?: string;
  aid?: string;
  receipt_no?: string;
  total_minor?: number;
  cashier?: string;
  payment_method?: string;
  merchant_order_no?: string;
  transaction_id?: string;
  items?: readonly LineItem[];
  /** Which template recognised the receipt (config/templates/NAME.yaml). */
  template?: string;
}

/**
 * Statement cells → the normalised values of StatementTxn: transaction types in the contract's
 * vocabulary, the direction of money from type and sign, currencies, ids, masked card numbers.
 */
import type { TransType } from '../../receipt/fields/types.js';

export const TRANS_TYPES = [
  'sale', 'void', 'refund', 'preauth', 'preauth_complete', 'preauth_void', 'balance', 'settlement', 'other',
] as const satisfies readonly TransType[];

// Ordered: the first rule that fits wins, so the narrower names stand before the wider ones
// (预授权完成撤销 before 预授权完成 before 预授权; 退货撤销 voids a refund, so 撤销 before 退货).
const TYPE_RULES: ReadonlyArray<readonly [RegExp, TransType]> = [
  [/预授权完成撤销|预授权完成的撤销|completionvoid|preauthcomplet\w*void|capturevoid/u, 'void'],
  [/预授权撤销|预授权取消|预授权冲正|preauthvoid|preauthcancel|preauthreversal|authvoid|authcancel|authreversal/u, 'preauth_void'],
  [/预授权完成|completion|preauthcomplet|preauthcomp|authcomplet|capture/u, 'preauth_complete'],
  [/预授权|preauth|^auth$|^authori[sz]ation$/u, 'preauth'],
  [/撤销|作废|冲正|取消|^void|void$|cancel|reversal|revoked|^rev$/u, 'void'],
  [/退货|退款|退费|refund|return|^credit$|^ref$/u, 'refund'],
  [/余额查询|查询余额|balance|inquiry|enquiry/u, 'balance'],
  [/结算|批结|settle/u, 'settlement'],
  [/消费|销售|支付|交易|收款|sale|purchase|payment|^debit$|^success$|^pur$|^paid$/u, 'sale'],
];

/** A printed transaction type (消费, 消费撤销, REFUND, Pre-Auth Completion…) or null if unknown. */
export function transTypeOf(text: string): TransType | null {
  const s = text.normalize('NFKC').toLowerCase().replace(/[\s_\-/.()]+/g, '');
  if (s === '') return null;
  if ((TRANS_TYPES as readonly string[]).includes(s)) return s as TransType;
  for (const [re, type] of TYPE_RULES) if (re.test(s)) return type;
  return null;
}

/** Types that take money from the customer: a negative amount on one of them contradicts itself. */
export const MONEY_IN: ReadonlySet<TransType> = new Set(['sale', 'preauth', 'preauth_complete']);

/**
 * The direction of a row: the type column when it says, else the sign (a statement that prints
 * refunds as negative rows and has no type column). `null` = the type says money in but the
 * amount is negative: the caller refuses the row.
 */
export function direct(type: TransType | null, signedMinor: number): TransType | null {
  if (type === null) return signedMinor < 0 ? 'refund' : 'sale';
  if (signedMinor < 0 && MONEY_IN.has(type)) return null;
  return type;
}

const CURRENCY_NUMERIC: Readonly<Record<string, string>> = {
  '156': 'CNY', '344': 'HKD', '446': 'MOP', '901': 'TWD', '840': 'USD', '978': 'EUR', '826': 'GBP',
  '392': 'JPY', '410': 'KRW', '702': 'SGD', '458': 'MYR', '764': 'THB', '036': 'AUD', '124': 'CAD',
  '756': 'CHF', '643': 'RUB', '704': 'VND',
};
const CURRENCY_NAMES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(?:人民币|rmb|元|¥|￥|人民币元)$/iu, 'CNY'],
  [/^(?:港币|港元|hk\$)$/iu, 'HKD'],
  [/^(?:美元|us\$)$/iu, 'USD'],
  [/^(?:欧元|€)$/iu, 'EUR'],
  [/^(?:澳门元|澳门币)$/u, 'MOP'],
  [/^(?:日元|円)$/u, 'JPY'],
];

/** ISO 4217 code from a code (cny), number (156) or name (人民币); null when none of them. */
export function currencyOf(text: string): string | null {
  const s = text.trim();
  if (/^[A-Za-z]{3}$/.test(s)) return s.toUpperCase();
  if (/^\d{3}$/.test(s)) return CURRENCY_NUMERIC[s] ?? null;
  for (const [re, code] of CURRENCY_NAMES) if (re.test(s)) return code;
  return null;
}

/** An id as the receipt fields keep it: spaces removed, leading zeros kept. */
export function idOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const s = text.replace(/[\s\u3000]+/gu, '');
  return s === '' ? undefined : s;
}

/**
 * A card number cell, masked to first 6 + last 4 at most (`*` for masking marks such as X or •),
 * with its last four digits. A full card number in a statement (it happens) is masked here, so it
 * never reaches storage.
 */
export function cardOf(text: string | undefined): { card_number?: string; card_last4?: string } {
  if (text === undefined) return {};
  const chars = text.replace(/[\s-]+/g, '').replace(/[Xx•#]/g, '*');
  if (!/^[0-9*]+$/.test(chars)) return {};
  const last4 = /(\d{4})$/.exec(chars)?.[1];
  if (chars.length < 12 || chars.length > 19) return last4 && chars.length === 4 ? { card_last4: last4 } : {};
  let masked = '';
  for (let i = 0; i < chars.length; i++) masked += i < 6 || i >= chars.length - 4 ? chars[i] : '*';
  // Masked whether or not the digits pass Luhn: a statement's card column holds cards, and a
  // needless mask costs less than a leaked number.
  return { card_number: masked, ...(last4 ? { card_last4: last4 } : {}) };
}

/** Payment method words → the receipt fields' vocabulary. */
export function paymentMethodOf(text: string): string {
  const s = text.normalize('NFKC').toLowerCase().replace(/[\s_\-]+/g, '');
  if (/现金|cash/u.test(s)) return 'cash';
  if (/微信|wechat|weixin|^wx/u.test(s)) return 'wechat';
  if (/支付宝|alipay|^ali/u.test(s)) return 'alipay';
  if (/云闪付|银联二维码|unionpayqr|upiqr|quickpass/u.test(s)) return 'unionpay_qr';
  if (/银行卡|刷卡|信用卡|借记卡|卡|card|credit|debit|visa|master|unionpay|银联/u.test(s)) return 'card';
  return 'other';
}

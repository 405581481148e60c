import type { ReceiptFieldSet } from '../../src/receipt/fields/types.js';

export type SlipKind = 'unionpay' | 'emv' | 'retail' | 'wechat' | 'alipay' | 'other';

/** What one kind's generator makes: the bytes, the fields a careful reader takes off the paper. */
export interface Draft {
  readonly bytes: Uint8Array;
  /** Exactly the expected fields, without `template`. */
  readonly truth: ReceiptFieldSet;
  /** Every line printed, as it must decode ('' for blank lines). */
  readonly lines: readonly string[];
  /** The variations this slip uses, e.g. "w32", "gb-power", "amount:￥", "reprint". */
  readonly tags: readonly string[];
  /** Kind as decided by the generator (wechat/alipay are decided inside the wallet generator). */
  readonly kind: SlipKind;
}

/** Mutable while a slip is being made. */
export type Truth = { -readonly [K in keyof ReceiptFieldSet]: ReceiptFieldSet[K] };

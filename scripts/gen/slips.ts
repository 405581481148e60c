/**
 * The project's own slip set for the fields benchmark: UnionPay 签购单, English EMV card slips,
 * retail receipts, WeChat Pay / Alipay slips and printouts that carry no fields, each made by
 * tilltap's own encoder (src/escpos/builder.ts) with the fields a careful reader takes off it.
 *
 * Seeded: `generateSlips(600, 1)` is the same set on every run. The kinds are dealt out by the
 * seed and the count; each slip then draws from a generator of its own (seed, index), so changing
 * one kind's generator does not reshuffle the other slips.
 *
 * Run `node dist/scripts/gen/slips.js --count 20 --show` to print slips with their truth.
 */
import { decodeBuffer } from '../../src/receipt/decoder.js';
import type { Receipt } from '../../src/receipt/receipt.js';
import type { ReceiptFieldSet } from '../../src/receipt/fields/types.js';
import { emvSlip } from './emv.js';
import { luhnValid } from './kit.js';
import { otherSlip } from './other.js';
import { prng, type Rnd } from '../lib/prng.js';
import { retailReceipt } from './retail.js';
import type { Draft, SlipKind } from './types.js';
import { unionPaySlip } from './unionpay.js';
import { walletSlip } from './wallet.js';

export type { SlipKind } from './types.js';

export interface GeneratedSlip {
  id: string;
  kind: SlipKind;
  bytes: Uint8Array;
  /** The exact expected fields, without `template`. */
  truth: ReceiptFieldSet;
  description: string;
  /** The variations used (width, encoding, label style, amount form, …), for counting. */
  tags: readonly string[];
  /** What each printed line must decode to, blank lines included as ''. */
  lines: readonly string[];
}

/** The template each kind must be recognised by; 'other' must get no fields at all. */
export const TEMPLATE_OF: Record<SlipKind, string | null> = {
  unionpay: 'unionpay',
  emv: 'emv',
  retail: 'retail',
  wechat: 'wechat',
  alipay: 'alipay',
  other: null,
};

/** Share of each kind in a set. */
export const MIX: readonly (readonly [SlipKind, number])[] = [
  ['unionpay', 0.4],
  ['emv', 0.2],
  ['retail', 0.15],
  ['wechat', 0.05],
  ['alipay', 0.05],
  ['other', 0.15],
];

/** A seed per slip, so that slip i of a set does not depend on the slips before it. */
function slipRnd(seed: number, i: number): Rnd {
  return prng((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0);
}

function draft(kind: SlipKind, rnd: Rnd): Draft {
  switch (kind) {
    case 'unionpay': {
      const r = rnd();
      return unionPaySlip(rnd, { variant: r < 0.04 ? 'test' : r < 0.09 ? 'fault' : 'normal' });
    }
    case 'emv':
      return emvSlip(rnd, { fault: rnd() < 0.06 });
    case 'retail':
      return retailReceipt(rnd);
    case 'wechat':
    case 'alipay':
      return walletSlip(rnd, kind);
    case 'other':
      return otherSlip(rnd);
  }
}

/** The kinds of a set of `count`, in the proportions of MIX, shuffled by the seed. */
function schedule(count: number, seed: number): SlipKind[] {
  const kinds: SlipKind[] = [];
  let left = count;
  MIX.forEach(([kind, share], i) => {
    const n = i === MIX.length - 1 ? left : Math.min(left, Math.round(count * share));
    for (let k = 0; k < n; k++) kinds.push(kind);
    left -= n;
  });
  const rnd = prng(seed ^ 0x5eed);
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  return kinds;
}

export function generateSlips(count: number, seed = 1): GeneratedSlip[] {
  return schedule(count, seed).map((kind, i) => {
    const d = draft(kind, slipRnd(seed, i));
    const id = `${d.kind}-${String(i).padStart(4, '0')}`;
    return { id, kind: d.kind, bytes: d.bytes, truth: d.truth, description: d.tags.join(' '), tags: d.tags, lines: d.lines };
  });
}

// ---- checking the set against the decoder ---------------------------------------------------

const compact = (s: string): string => s.replace(/\s+/g, '');

const CURRENCY_MARK: Record<string, RegExp> = {
  CNY: /RMB|¥|￥|人民币|\d元/,
  USD: /\$|USD/,
  EUR: /€|EUR/,
  GBP: /£|GBP/,
  SGD: /S\$|SGD/,
  HKD: /HK\$|HKD/,
  MYR: /RM-?\d|MYR/,
};

const TYPE_MARK: Record<string, RegExp> = {
  sale: /消费|SALE|PURCHASE|支付|付款|凭证|收款/,
  void: /撤销|VOID/,
  refund: /退货|REFUND|RETURN|退款/,
  preauth: /预授权|PRE-?AUTH|\bAUTH\b/,
  preauth_complete: /完成|COMPLET|AUTH COMP/,
  preauth_void: /预授权撤销|AUTH VOID|AUTH CANCEL/,
  balance: /余额查询|BALANCE/,
  other: /测试|TEST/,
};

const COPY_MARK: Record<string, RegExp> = {
  merchant: /商户存根|MERCHANT COPY/,
  cardholder: /持卡人存根|CARDHOLDER COPY|CUSTOMER COPY/,
  bank: /银行存根|BANK COPY/,
};

const PAY_MARK: Record<string, RegExp> = {
  cash: /现金|CASH|Cash/,
  card: /刷卡|银行卡|card|VISA|MASTERCARD/i,
  wechat: /微信|WECHAT/,
  alipay: /支付宝|ALIPAY/,
  unionpay_qr: /云闪付/,
};

/** The money amounts printed in `text`, in minor units. */
function amountsIn(text: string): Set<number> {
  const out = new Set<number>();
  for (const m of text.matchAll(/\d{1,3}(?:[,.]\d{3})*[.,]\d{2}(?!\d)|\d+[.,]\d{2}(?!\d)/g)) out.add(Number(m[0].replace(/\D/g, '')));
  return out;
}

export interface SlipCheck {
  /** Generator or decoder errors: the slip is not what it claims. [] when all is well. */
  readonly problems: string[];
  /**
   * Truth values the paper shows but the decoded text no longer does, because the card-number
   * guard starred digits that are not a card number (an order number, a date run that passes Luhn).
   */
  readonly guarded: string[];
}

/** Same text, except that the decoder may have starred digits (the card-number guard). */
function sameButMasked(printed: string, decoded: string): boolean {
  if (printed.length !== decoded.length) return false;
  for (let i = 0; i < printed.length; i++) {
    const a = printed[i]!;
    const b = decoded[i]!;
    if (a !== b && !(b === '*' && a >= '0' && a <= '9')) return false;
  }
  return true;
}

/**
 * Checks a slip three ways: it decodes to one receipt whose lines are the lines the generator
 * printed (digits starred by the card-number guard allowed); every truth value can be read on the
 * paper; and which truth values the guard starred in the decoded text.
 */
export function checkSlip(slip: GeneratedSlip, receipts: readonly Receipt[] = decodeBuffer(slip.bytes).receipts): SlipCheck {
  const problems: string[] = [];
  const guarded: string[] = [];
  if (receipts.length !== 1) return { problems: [`decodes to ${receipts.length} receipts`], guarded };
  const r = receipts[0]!;
  const warnings = r.warnings.filter((w) => !/masked/.test(w));
  if (warnings.length > 0) problems.push(`warnings: ${warnings.join('; ')}`);
  const want = slip.lines.map((l) => l.trimEnd()).filter((l) => l !== '');
  const got = r.lines.map((l) => l.text.trimEnd()).filter((l) => l !== '');
  const n = Math.max(want.length, got.length);
  for (let i = 0; i < n; i++) {
    if (want[i] !== got[i] && !sameButMasked(want[i] ?? '', got[i] ?? '')) {
      problems.push(`line ${i}: printed ${JSON.stringify(want[i])}, decoded ${JSON.stringify(got[i])}`);
      break;
    }
  }
  // Readable on the paper: the lines as printed.
  const text = want.join('\n');
  const flat = compact(text);
  const decodedFlat = compact(got.join('\n'));
  const t = slip.truth;
  const has = (field: string, ok: boolean): void => {
    if (!ok) problems.push(`${field} not readable on the slip`);
  };
  for (const [k, v] of Object.entries(t) as [keyof ReceiptFieldSet, unknown][]) {
    switch (k) {
      case 'merchant_name':
      case 'issuer':
      case 'acquirer':
      case 'cashier':
      case 'entry_mode':
      case 'aid':
        has(k, text.includes(String(v)));
        break;
      case 'card_number': {
        const masked = String(v);
        const norm = flat.replace(/[Xx]/g, '*');
        const full = [...text.matchAll(/\d{13,19}/g)].some((m) => luhnValid(m[0]) && m[0].slice(0, 6) + '*'.repeat(m[0].length - 10) + m[0].slice(-4) === masked);
        has(k, norm.includes(masked) || full);
        break;
      }
      case 'trans_type':
        has(k, TYPE_MARK[String(v)]!.test(text));
        break;
      case 'datetime': {
        const [, y, mo, d, h, mi] = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(String(v))!;
        const mon = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'][Number(mo) - 1]!;
        const h12 = String(((Number(h) + 11) % 12) + 1);
        has(
          k,
          (text.includes(y!) || text.includes(`, ${y!.slice(2)}`) || text.includes(`/${y!.slice(2)}`)) &&
            (flat.includes(mo!) || text.includes(mon)) &&
            flat.includes(d!) &&
            (flat.includes(`${h}:${mi}`) || flat.includes(`${h}${mi}`) || flat.includes(`${h12}:${mi}`)),
        );
        break;
      }
      case 'amount_minor':
      case 'total_minor':
      case 'tip_minor':
        has(k, amountsIn(text).has(Number(v)));
        break;
      case 'currency':
        // CNY: a sign, or a Chinese slip (签购单, wallet slip, Chinese till receipt) without one.
        has(k, (CURRENCY_MARK[String(v)]?.test(text) ?? false) || (v === 'CNY' && /[\u4e00-\u9fff]/.test(text)));
        break;
      case 'reprint':
        has(k, /重打印|REPRINT|DUPLICATE/.test(text));
        break;
      case 'copy':
        has(k, COPY_MARK[String(v)]!.test(text));
        break;
      case 'test':
        has(k, /测试|TEST/.test(text));
        break;
      case 'fault':
        has(k, /失败|未完成|DECLINED|拒绝|NOT APPROVED/.test(text));
        break;
      case 'payment_method':
        has(k, PAY_MARK[String(v)]!.test(text));
        break;
      case 'items':
        for (const it of t.items ?? []) {
          if (!text.includes(it.name)) problems.push(`item ${it.name} not on the slip`);
          if (it.amount_minor !== undefined && !amountsIn(text).has(it.amount_minor)) problems.push(`item ${it.name} amount not on the slip`);
        }
        break;
      case 'template':
        problems.push('truth must not carry template');
        break;
      default: {
        // ids: the printed value with spaces removed
        const id = compact(String(v));
        has(k, flat.includes(id));
        if (flat.includes(id) && !decodedFlat.includes(id)) guarded.push(k);
      }
    }
  }
  if (t.datetime && slip.tags.includes('date:compact')) {
    // "20261120 091000": fourteen digits with one space, which the guard may read as a card number.
    const m = /(\d{8} \d{6})/.exec(text);
    if (m && !got.join('\n').includes(m[1]!)) guarded.push('datetime');
  }
  return { problems, guarded };
}

/** Problems only (see checkSlip). */
export function verifySlip(slip: GeneratedSlip, receipts?: readonly Receipt[]): string[] {
  return checkSlip(slip, receipts).problems;
}

// ---- command line ----------------------------------------------------------------------------

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: number): number => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const slips = generateSlips(opt('--count', 600), opt('--seed', 1));
  let bad = 0;
  const guarded = new Map<string, number>();
  for (const s of slips) {
    const receipts = decodeBuffer(s.bytes).receipts;
    const c = checkSlip(s, receipts);
    if (c.problems.length > 0) bad++;
    for (const g of c.guarded) guarded.set(g, (guarded.get(g) ?? 0) + 1);
    if (args.includes('--show') || c.problems.length > 0 || (args.includes('--guarded') && c.guarded.length > 0)) {
      console.log(`== ${s.id} (${s.description})`);
      console.log(receipts.map((r) => r.text).join('\n--- cut ---\n'));
      console.log(JSON.stringify(s.truth));
      for (const p of c.problems) console.log(`!! ${p}`);
      for (const g of c.guarded) console.log(`** ${g}: starred by the card-number guard`);
    }
  }
  if (args.includes('--stats')) {
    // How the set is made up: slips per kind, and per variation within each kind.
    const byKind = new Map<string, Map<string, number>>();
    for (const s of slips) {
      const m = byKind.get(s.kind) ?? new Map<string, number>();
      m.set('(slips)', (m.get('(slips)') ?? 0) + 1);
      for (const t of s.tags) m.set(t, (m.get(t) ?? 0) + 1);
      byKind.set(s.kind, m);
    }
    for (const [kind, m] of [...byKind].sort()) {
      console.log(`${kind}: ${m.get('(slips)')} slips`);
      const rows = [...m].filter(([t]) => t !== '(slips)').sort((a, b) => a[0].localeCompare(b[0]));
      console.log(`  ${rows.map(([t, n]) => `${t} ${n}`).join(', ')}`);
    }
  }
  console.log(`${slips.length} slips, ${bad} with problems`);
  if (guarded.size > 0) console.log(`truth values starred by the card-number guard: ${[...guarded].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  process.exitCode = bad > 0 ? 1 : 0;
}

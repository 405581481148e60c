/**
 * UnionPay 签购单 as Chinese bank POS terminals (Landi, Newland, PAX, Centerm) and MIS-integrated
 * cash registers print them: bilingual labels in their real spellings, values on the label's line
 * or the next, amounts and dates in the forms terminals use, reprints, test and failure slips.
 */
import { testPattern } from '../../src/escpos/builder.js';
import type { TransType } from '../../src/receipt/fields/types.js';
import { ACQUIRERS, AREAS, BANKS, CN_MERCHANTS, EN_MERCHANTS_CN, MCCS, type Bank } from './data.js';
import {
  chance,
  digits,
  group4,
  hms,
  int,
  iso,
  luhnValid,
  maskPan,
  money,
  pad,
  pan,
  Paper,
  pick,
  type Rnd,
  type TextMode,
  weighted,
  when,
  ymd,
  amount as randomAmount,
} from './kit.js';
import type { Draft, Truth } from './types.js';

/** [Chinese, English] label pairs as terminals print them. */
type Pair = readonly [string, string];
const LABELS = {
  merchantName: [['商户名称', 'MERCHANT NAME']],
  merchantNo: [['商户编号', 'MERCHANT NO.'], ['商户编号', 'MERCHANT NO'], ['商户号', 'MER NO.'], ['商户编号', 'MERCHANT ID']],
  terminalNo: [['终端编号', 'TERMINAL NO.'], ['终端号', 'TERMINAL NO'], ['终端编号', 'TERMINAL ID']],
  operator: [['操作员号', 'OPERATOR NO.'], ['操作员', 'OPERATOR'], ['操作员号', 'OPER NO.']],
  card: [['卡号', 'CARD NO.'], ['卡号', 'CARD NO'], ['卡号', 'CARD NUMBER']],
  issuer: [['发卡行', 'ISSUER']],
  acquirer: [['收单行', 'ACQUIRER']],
  /** Institution-code labels: these print the 8-digit code, never the name. */
  issuerNo: [['发卡行号', 'ISS NO'], ['发卡机构', 'ISS NO.']],
  acquirerNo: [['收单行号', 'ACQ NO'], ['收单机构', 'ACQ NO.']],
  expiry: [['有效期', 'EXP DATE'], ['有效期', 'EXP. DATE'], ['卡有效期', 'EXP.DATE']],
  type: [['交易类型', 'TRANS TYPE'], ['交易类型', 'TXN. TYPE'], ['交易类型', 'TRANS. TYPE']],
  batch: [['批次号', 'BATCH NO.'], ['批次号', 'BATCH NO']],
  voucher: [['凭证号', 'VOUCHER NO.'], ['凭证号', 'VOUCHER NO'], ['流水号', 'TRACE NO.']],
  auth: [['授权码', 'AUTH NO.'], ['授权码', 'AUTH NO'], ['授权码', 'AUTH CODE']],
  ref: [['参考号', 'REFER NO.'], ['参考号', 'REF NO.'], ['参考号', 'REFERENCE NO.'], ['交易参考号', 'REF. NO'], ['检索参考号', 'REFER NO']],
  datetime: [['日期/时间', 'DATE/TIME'], ['日期时间', 'DATE/TIME']],
  date: [['日期', 'DATE']],
  time: [['时间', 'TIME']],
  amount: [['金额', 'AMOUNT'], ['金额', 'AMOUT'], ['交易金额', 'AMOUNT']],
  origVoucher: [['原凭证号', 'ORI. VOUCHER NO.'], ['原凭证号', 'OLD VOUCHER'], ['原流水号', 'ORIG TRACE NO.']],
  origRef: [['原参考号', 'ORI. REFER NO.'], ['原参考号', 'OLD REF NO.'], ['原交易参考号', 'ORIG REF NO']],
  origAuth: [['原授权码', 'ORI. AUTH NO.']],
  origDate: [['原交易日期', 'ORI. DATE']],
  remark: [['备注', 'REFERENCE']],
  signature: [['持卡人签名', 'CARDHOLDER SIGNATURE']],
} as const satisfies Record<string, readonly Pair[]>;

type LabelStyle = 'paren' | 'paren-full' | 'space' | 'cn' | 'en-cn';
type Placement = 'landi' | 'inline' | 'right' | 'next';

const TYPES: Record<Exclude<TransType, 'settlement' | 'other'>, { cn: readonly string[]; en: readonly string[] }> = {
  sale: { cn: ['消费'], en: ['SALE'] },
  void: { cn: ['消费撤销'], en: ['VOID'] },
  refund: { cn: ['退货'], en: ['REFUND'] },
  preauth: { cn: ['预授权'], en: ['AUTH'] },
  preauth_complete: { cn: ['预授权完成', '预授权完成(请求)'], en: ['AUTH COMPLETE', 'AUTH COMP'] },
  preauth_void: { cn: ['预授权撤销'], en: ['AUTH VOID', 'AUTH CANCEL'] },
  balance: { cn: ['余额查询'], en: ['BALANCE'] },
};

/** Writes label/value pairs in one slip's consistent style. */
class FieldWriter {
  constructor(
    private readonly p: Paper,
    private readonly rnd: Rnd,
    private readonly style: LabelStyle,
    private readonly colon: '' | ':' | '：',
    private readonly placement: Placement,
    private readonly indent: string,
    private readonly spaceAfterColon: boolean,
  ) {}

  /** The label in the slip's style; shortened the way terminals do when it would not fit the roll. */
  label(pair: Pair): string {
    const full = this.styled(pair, this.colon);
    if (this.p.fits(full)) return full;
    const bare = this.styled(pair, '');
    if (this.p.fits(bare)) return bare;
    return `${pair[0]}${this.colon || ':'}`;
  }

  private styled(pair: Pair, c: string): string {
    const [cn, en] = pair;
    switch (this.style) {
      case 'paren':
        return `${cn}(${en})${c}`;
      case 'paren-full':
        return `${cn}（${en}）${c}`;
      case 'space':
        return `${cn} ${en}${c}`;
      case 'cn':
        return `${cn}${c}`;
      case 'en-cn':
        return `${en} ${cn}${c}`;
    }
  }

  private sep(): string {
    return this.colon === '' || this.spaceAfterColon ? ' ' : '';
  }

  /** A labelled value; `long` values go to the next line on Landi-style slips. */
  put(pair: Pair, value: string, opts: { long?: boolean; bold?: boolean; big?: boolean } = {}): void {
    const lab = this.label(pair);
    const p = this.p;
    if (value === '') {
      p.line(lab);
      return;
    }
    if (opts.big) {
      // The amount: often double size, on its own line or after the label.
      if (p.fitsMixed(`${lab} `, value, 2) && chance(this.rnd, 0.3)) {
        p.mixed(lab + ' ', value, { w: 2, h: 2, bold: opts.bold });
      } else {
        p.line(lab);
        p.line(value, { w: 2, h: 2, bold: opts.bold, align: chance(this.rnd, 0.5) ? 'right' : 'left' });
      }
      return;
    }
    const sameLine = lab + this.sep() + value;
    const mode = this.placement === 'landi' ? (opts.long ? 'next' : 'inline') : this.placement;
    if (mode === 'inline' && p.fits(sameLine)) {
      if (opts.bold) p.mixed(lab + this.sep(), value, { bold: true });
      else p.line(sameLine);
      return;
    }
    if (mode === 'right') {
      const both = p.lr(lab, value, 2);
      if (both !== null) {
        p.line(both);
        return;
      }
      p.line(lab);
      p.line(value, { align: 'right', bold: opts.bold });
      return;
    }
    p.line(lab);
    p.line(p.fits(this.indent + value) ? this.indent + value : value, { bold: opts.bold });
  }
}

interface Opts {
  readonly variant: 'normal' | 'test' | 'fault';
}

const CONFIRM_CN = '本人确认以上交易，同意将其记入本卡账户';
const CONFIRM_EN = 'I ACKNOWLEDGE SATISFACTORY RECEIPT OF RELATIVE GOODS/SERVICES';

function merchantNo(rnd: Rnd): string {
  return weighted(rnd, [
    [`898${pick(rnd, AREAS)}${pick(rnd, MCCS)}${digits(rnd, 4)}`, 6],
    [`102${pick(rnd, AREAS)}${pick(rnd, MCCS)}${digits(rnd, 4)}`, 2],
    [`8222${pick(rnd, AREAS).slice(0, 3)}${pick(rnd, MCCS)}${digits(rnd, 4)}`, 2],
  ] as const);
}

function cardBin(rnd: Rnd, bank: Bank): string {
  return pick(rnd, bank.bins);
}

function amountText(rnd: Rnd, p: Paper, minor: number, negative: boolean, tags: string[]): { text: string } {
  const thousands = minor >= 100_000 && chance(rnd, 0.6);
  const m = money(minor, { thousands });
  const neg = negative ? '-' : '';
  const forms: (readonly [string, string, number])[] = [
    ['RMB', `RMB ${neg}${m}`, 6],
    ['RMB-tight', `RMB${neg}${m}`, 2],
    ['fw-yuan', `￥${neg}${m}`, 3],
    ['fw-yuan-space', `￥ ${neg}${m}`, 1],
    ['yuan-suffix', `${neg}${m}元`, 2],
    ['renminbi', `人民币 ${neg}${m}`, 1],
    ['bare', `${neg}${m}`, 1.5],
  ];
  if (p.halfYen) forms.push(['yen', `¥${neg}${m}`, 4], ['yen-space', `¥ ${neg}${m}`, 4]);
  const [tag, text] = weighted(rnd, forms.map((f) => [f, f[2]] as const));
  tags.push(`amount:${tag}`);
  if (thousands) tags.push('amount:thousands');
  return { text };
}

export function unionPaySlip(rnd: Rnd, opts: Opts): Draft {
  const tags: string[] = [];
  const truth: Truth = {};
  const width = weighted(rnd, [[32, 5], [42, 2], [48, 3]] as const);
  const mode: TextMode = weighted(rnd, [['gb-fs', 45], ['gb-power', 45], ['utf8', 10]] as const);
  tags.push(`w${width}`, mode);
  const p = new Paper(width, mode);
  if (mode !== 'utf8' && chance(rnd, 0.25)) {
    p.chinaSet();
    tags.push('esc-r-15');
  }

  // Label style: consistent across the slip, as one terminal model prints it.
  const style = weighted<LabelStyle>(rnd, [['paren', 45], ['paren-full', 15], ['space', 12], ['cn', 22], ['en-cn', 6]]);
  const colon = weighted<'' | ':' | '：'>(rnd, style === 'paren-full' || style === 'cn' ? [[':', 3], ['：', 6], ['', 1]] : [[':', 7], ['：', 2], ['', 1]]);
  const placement = weighted<Placement>(rnd, [['landi', 45], ['inline', 20], ['right', 20], ['next', 15]]);
  const indent = pick(rnd, ['', ' ', '  ', '    ']);
  tags.push(`labels:${style}`, `colon:${colon === '' ? 'none' : colon === ':' ? 'half' : 'full'}`, `place:${placement}`);
  const f = new FieldWriter(p, rnd, style, colon, placement, indent, chance(rnd, 0.3));
  const L = (k: keyof typeof LABELS): Pair => pick<Pair>(rnd, LABELS[k]);

  const bank = pick(rnd, BANKS);
  const cardBank = chance(rnd, 0.5) ? bank : pick(rnd, BANKS);
  const when_ = when(rnd);

  // ---- header
  if (chance(rnd, 0.25)) {
    p.b.align('center').raster(160, 48, testPattern(160, 48)).align('left');
    tags.push('logo');
  }
  const title = weighted(rnd, [
    ['银联POS签购单', 5],
    ['POS签购单', 3],
    ['签购单', 1],
    [`${bank.name}签购单`, 2],
    [`${bank.short}POS签购单`, 2],
    ['中国银联 签购单', 1],
    ['银联商务POS签购单', 1],
  ] as const);
  if (p.fits(title, 2) && chance(rnd, 0.8)) {
    if (chance(rnd, 0.3)) p.bigLineEscMode(title);
    else p.centered(title, { w: 2, h: 2, bold: chance(rnd, 0.4) });
    tags.push('title:big');
  } else p.centered(title, { bold: true, h: 2 });
  if (chance(rnd, 0.15)) p.centered('POS SALES SLIP');

  const copy = opts.variant === 'test' ? weighted(rnd, [[null, 3], ['merchant', 1]] as const) : weighted(rnd, [['merchant', 50], ['cardholder', 38], ['bank', 6], [null, 6]] as const);
  const copyText = (): string => {
    const cn = { merchant: '商户存根', cardholder: '持卡人存根', bank: '银行存根' }[copy!];
    const en = { merchant: 'MERCHANT COPY', cardholder: 'CARDHOLDER COPY', bank: 'BANK COPY' }[copy!];
    return weighted(rnd, [
      [`${cn} ${en}`, 5],
      [`${cn}/${en}`, 1],
      [cn, 3],
      [`-${cn}-`, 1],
      [p.lr(cn, en) ?? `${cn} ${en}`, 2],
    ] as const);
  };
  const copyAtBottom = chance(rnd, 0.15);
  if (copy) {
    truth.copy = copy;
    tags.push(`copy:${copy}`);
    if (!copyAtBottom) p.line(copyText(), { align: chance(rnd, 0.5) ? 'center' : 'left' });
  }
  const reprint = opts.variant === 'normal' && chance(rnd, 0.1);
  const reprintText = reprint ? pick(rnd, ['重打印 REPRINT', '***重打印凭证***', 'DUPLICATED', '重打印凭证/DUPLICATED', '***重打印 REPRINT***']) : '';
  const reprintTop = chance(rnd, 0.6);
  if (reprint) {
    truth.reprint = true;
    tags.push('reprint');
    if (reprintTop) p.centered(reprintText, { bold: true });
  }
  if (opts.variant === 'test') {
    const t = pick(rnd, ['***测试*** TEST SLIP', 'POS 测试打印', '***打印测试 PRINT TEST***', '测试签购单 TEST']);
    p.centered(t, { bold: true });
    truth.test = true;
    truth.trans_type = 'other';
    tags.push('test');
  }
  p.rule(pick(rnd, ['-', '-', '=', '.']));

  // ---- merchant block
  const name = chance(rnd, 0.9) ? pick(rnd, CN_MERCHANTS) : pick(rnd, EN_MERCHANTS_CN);
  truth.merchant_name = name;
  f.put(L('merchantName'), name, { long: true });
  const mid = merchantNo(rnd);
  truth.merchant_id = mid;
  if (luhnValid(mid)) tags.push('mid-passes-luhn');
  f.put(L('merchantNo'), mid, { long: true });
  const tid = chance(rnd, 0.85) ? digits(rnd, 8) : `${pick(rnd, ['P', 'L', 'N'])}${digits(rnd, 7)}`;
  truth.terminal_id = tid;
  f.put(L('terminalNo'), tid);
  if (chance(rnd, 0.8)) {
    const op = pick(rnd, ['01', '01', '02', '001', '03', '1']);
    truth.operator_id = op;
    f.put(L('operator'), op);
  }

  // A test slip: the terminal's print test (header only), or a whole transaction slip printed in
  // test mode with a test banner (its type is then 'other': no money moved).
  const testFull = opts.variant === 'test' && chance(rnd, 0.5);
  if (opts.variant === 'test' && !testFull) return testTail(rnd, p, f, L, truth, tags, when_, copy ? copyText : null, copyAtBottom);

  // ---- transaction
  const type = opts.variant === 'fault'
    ? weighted<keyof typeof TYPES>(rnd, [['sale', 8], ['preauth', 1], ['refund', 1]])
    : opts.variant === 'test'
      ? 'sale'
      : weighted<keyof typeof TYPES>(rnd, [['sale', 52], ['void', 12], ['refund', 10], ['preauth', 9], ['preauth_complete', 8], ['preauth_void', 4], ['balance', 5]]);
  truth.trans_type = opts.variant === 'test' ? 'other' : type;
  tags.push(`type:${type}`);
  if (testFull) tags.push('test:transaction');
  if (opts.variant === 'fault') {
    truth.fault = true;
    tags.push('fault');
    p.centered(pick(rnd, ['交易失败', '交易失败 DECLINED', '***交易未完成***', '交易未完成 INCOMPLETE', 'DECLINED 交易拒绝']), { bold: true, w: 1, h: 2 });
  }
  if (chance(rnd, 0.3)) p.rule('-');

  // Card: issuer / acquirer before or after the card number (Landi: after; PAX: before).
  const issuerFirst = chance(rnd, 0.35);
  const issuerAcq = (): void => {
    const pairOnOneLine = style === 'cn' && width >= 42 && chance(rnd, 0.4);
    const codes = chance(rnd, 0.2);
    const issL = L(codes ? 'issuerNo' : 'issuer');
    const acqL = L(codes ? 'acquirerNo' : 'acquirer');
    if (codes) tags.push('issuer:codes');
    const iss = chance(rnd, 0.75) ? (codes ? cardBank.code : cardBank.short) : null;
    const acqRow = pick(rnd, ACQUIRERS);
    const acq = chance(rnd, 0.7) ? (codes ? acqRow.code : acqRow.name) : null;
    if (iss) truth.issuer = iss;
    if (acq) truth.acquirer = acq;
    if (pairOnOneLine && iss && acq) {
      const a = `${f.label(issL)}${iss}`;
      const b = `${f.label(acqL)}${acq}`;
      const both = p.lr(a, b, 2);
      if (both) {
        p.line(both);
        tags.push('issuer-acquirer-one-line');
        return;
      }
    }
    if (iss) f.put(issL, iss);
    if (acq) f.put(acqL, acq);
  };
  if (issuerFirst) issuerAcq();

  const fullPan = (type === 'preauth' || type === 'preauth_complete' || type === 'preauth_void') ? chance(rnd, 0.4) : chance(rnd, 0.02);
  const bin = cardBin(rnd, cardBank);
  const len = bin.startsWith('4') ? 16 : weighted(rnd, [[16, 1], [19, 1]] as const);
  const card = pan(rnd, bin, len);
  let printed: string;
  if (fullPan) {
    printed = card;
    truth.card_number = maskPan(card);
    tags.push('full-pan');
  } else {
    const maskStyle = weighted(rnd, [['6+4', 8], ['spaced', 2], ['4+4', 1]] as const);
    const masked = maskStyle === '4+4' ? card.slice(0, 4) + '*'.repeat(card.length - 8) + card.slice(-4) : maskPan(card);
    printed = maskStyle === 'spaced' && len === 16 ? group4(masked) : masked;
    truth.card_number = masked;
    tags.push(`card:${maskStyle === 'spaced' && len === 16 ? 'spaced' : maskStyle}`);
  }
  const entry = weighted(rnd, [['', 3], [' C', 2], [' S', 2], [' I', 2], [' /C', 1], [' /S', 1]] as const);
  if (entry) tags.push('card:entry-letter');
  f.put(L('card'), printed + entry, { long: true, bold: chance(rnd, 0.5) });
  if (chance(rnd, 0.3)) {
    const yy = pad((when_.y + 1 + int(rnd, 6)) % 100, 2);
    const mm = pad(1 + int(rnd, 12), 2);
    f.put(L('expiry'), pick(rnd, [`${yy}${mm}`, `${yy}/${mm}`, `20${yy}/${mm}`, `${mm}/${yy}`]));
    tags.push('expiry');
  }
  if (!issuerFirst) issuerAcq();

  const t = TYPES[type];
  const cn = pick(rnd, t.cn);
  const en = pick(rnd, t.en);
  const typeText = weighted(rnd, [
    [`${cn}/${en}`, 5],
    [`${cn}(${en})`, 2],
    [`${cn} ${en}`, 2],
    [cn, 3],
    [en, 1],
  ] as const);
  f.put(L('type'), typeText, { long: true, bold: chance(rnd, 0.6) });

  const batch = pad(1 + int(rnd, 999), 6);
  const voucher = pad(1 + int(rnd, 99999), 6);
  truth.batch_no = batch;
  truth.trace_no = voucher;
  const pairIds = style === 'cn' && width >= 42 && chance(rnd, 0.4);
  if (pairIds) {
    const both = p.lr(`${f.label(L('batch'))}${batch}`, `${f.label(L('voucher'))}${voucher}`, 2);
    if (both) p.line(both);
    else {
      f.put(L('batch'), batch);
      f.put(L('voucher'), voucher);
    }
    tags.push('batch-voucher-one-line');
  } else {
    f.put(L('batch'), batch);
    f.put(L('voucher'), voucher);
  }

  // Authorisation code: preauths always have one; debit sales often print the label empty.
  const authCode = opts.variant === 'fault' ? null : type === 'balance' ? null : chance(rnd, type.startsWith('preauth') ? 1 : 0.7) ? (chance(rnd, 0.85) ? digits(rnd, 6) : `${pick(rnd, ['A', 'B', 'C', 'Y'])}${digits(rnd, 5)}`) : null;
  if (authCode) {
    truth.auth_code = authCode;
    f.put(L('auth'), authCode);
  } else if (opts.variant !== 'fault' && chance(rnd, 0.6)) {
    f.put(L('auth'), '');
    tags.push('auth:empty-label');
  }

  const refNo = `${pad(when_.h, 2)}${pad(when_.mi, 2)}${pad(when_.s, 2)}${digits(rnd, 6)}`;
  const printRef = opts.variant === 'fault' ? chance(rnd, 0.4) : true;
  const dateFirst = chance(rnd, 0.4);
  const putRef = (): void => {
    if (!printRef) return;
    truth.reference_no = refNo;
    f.put(L('ref'), refNo);
  };
  const putDate = (): void => {
    const form = weighted(rnd, [['slash', 5], ['dash', 3], ['compact', 2], ['split', 2], ['no-seconds', 1]] as const);
    tags.push(`date:${form}`);
    if (form === 'split') {
      truth.datetime = iso(when_);
      const d = pick(rnd, ['/', '-']);
      f.put(L('date'), ymd(when_, d));
      f.put(L('time'), hms(when_));
      return;
    }
    let text: string;
    if (form === 'slash') text = `${ymd(when_, '/')} ${hms(when_)}`;
    else if (form === 'dash') text = `${ymd(when_, '-')} ${hms(when_)}`;
    else if (form === 'compact') text = `${ymd(when_, '')} ${hms(when_).replaceAll(':', '')}`;
    else text = `${ymd(when_, '/')} ${hms(when_).slice(0, 5)}`;
    truth.datetime = iso(when_, form !== 'no-seconds');
    f.put(L('datetime'), text, { long: true });
  };
  if (dateFirst) {
    putDate();
    putRef();
  } else {
    putRef();
    putDate();
  }

  // Originals: voids, refunds and completions point at the transaction they undo or complete.
  const origVoucher = pad(1 + int(rnd, 99999), 6);
  const origRef = `${digits(rnd, 12)}`;
  const origs: (() => void)[] = [];
  const origInRemark = chance(rnd, 0.4);
  if (type === 'void' || type === 'preauth_void' || (type === 'preauth_complete' && chance(rnd, 0.5)) || (type === 'refund' && chance(rnd, 0.4))) {
    truth.original_trace_no = origVoucher;
    origs.push(() => f.put(L('origVoucher'), origVoucher));
  }
  if (type === 'refund' || (type === 'void' && chance(rnd, 0.3)) || (type === 'preauth_complete' && chance(rnd, 0.5))) {
    truth.original_reference_no = origRef;
    origs.push(() => f.put(L('origRef'), origRef));
  }
  if ((type === 'preauth_complete' || type === 'preauth_void') && chance(rnd, 0.4)) {
    const od = `${pad(when_.mo, 2)}${pad(Math.max(1, when_.d - 1 - int(rnd, 3)), 2)}`;
    origs.push(() => f.put(L('origDate'), od));
    tags.push('orig-date');
  }
  if (!origInRemark) for (const o of origs) o();

  // Amount.
  if (type !== 'balance') {
    const minor = randomAmount(rnd, type.startsWith('preauth') && chance(rnd, 0.5));
    const negative = (type === 'void' || type === 'refund' || type === 'preauth_void') && chance(rnd, 0.5);
    if (negative) tags.push('amount:negative');
    const a = amountText(rnd, p, minor, negative, tags);
    truth.amount_minor = minor;
    // A 签购单 from a Chinese bank terminal is in yuan whether or not the amount carries a sign.
    truth.currency = 'CNY';
    f.put(L('amount'), a.text, { big: chance(rnd, 0.6), bold: chance(rnd, 0.5) });
  } else if (chance(rnd, 0.5)) {
    p.line('余额请查看密码键盘');
  }
  if (opts.variant === 'fault') {
    p.line(pick(rnd, ['失败原因:余额不足(51)', '原因:密码错误(55)', '应答码:05 不予承兑', '交易超时,请重试', '原因:通讯失败', 'REASON: 51 余额不足']));
  }
  if (chance(rnd, 0.35)) {
    const aid = bin.startsWith('4') ? 'A0000000031010' : pick(rnd, ['A000000333010101', 'A000000333010102', 'A000000333010103']);
    truth.aid = aid;
    p.line(`AID:${aid}`);
    if (chance(rnd, 0.6)) p.line(`TC:${digits(rnd, 4)}${pick(rnd, ['A', 'B', 'F', 'E'])}${digits(rnd, 5)}${pick(rnd, ['C', 'D'])}${digits(rnd, 5)}`);
    if (chance(rnd, 0.4)) p.line(`ATC:${pad(int(rnd, 999), 4)}  TVR:0000000000`);
    tags.push('ic-data');
  }
  p.rule(pick(rnd, ['-', '-', '=']));

  // Remark, signature, confirmation.
  const remark = f.label(L('remark'));
  if (origInRemark && origs.length > 0) {
    p.line(remark);
    for (const o of origs) o();
    tags.push('orig-in-remark');
  } else if (chance(rnd, 0.6)) {
    const note = pick(rnd, ['', '', '', '积分:120', '电子签名', 'MIS收银']);
    p.line(note ? `${remark}${note}` : remark);
  }
  if (reprint && !reprintTop) p.centered(reprintText);
  const noSign = opts.variant === 'normal' && chance(rnd, 0.2);
  if (noSign) {
    const lines = pick(rnd, [['免密免签 NO PIN & SIGNATURE'], ['小额免密免签交易'], ['交易金额未超过1000.00元', '本交易无需签名']]);
    for (const l of lines) p.line(l);
    tags.push('no-signature');
  } else if (opts.variant === 'normal' && copy !== 'cardholder') {
    p.line(f.label(L('signature')));
    p.blank(2 + int(rnd, 2));
    if (chance(rnd, 0.4)) p.line('_'.repeat(Math.min(30, width - 2)), { align: 'center' });
  }
  if (opts.variant === 'normal' && chance(rnd, 0.85)) {
    p.wrapped(CONFIRM_CN);
    if (chance(rnd, 0.6)) p.wrapped(CONFIRM_EN);
  }
  if (copy && copyAtBottom) p.centered(copyText());
  if (chance(rnd, 0.3)) p.line(`服务热线:${cardBank.hotline}`, { align: 'center' });
  if (chance(rnd, 0.15)) p.b.align('center').qr(`https://e.chinaums.com/r/${refNo}`, 4).align('left');
  return { bytes: p.finish(rnd), truth, lines: p.lines, tags, kind: 'unionpay' };
}

function testTail(
  rnd: Rnd,
  p: Paper,
  f: FieldWriter,
  L: (k: keyof typeof LABELS) => Pair,
  truth: Truth,
  tags: string[],
  w: ReturnType<typeof when>,
  copyText: (() => string) | null,
  copyAtBottom: boolean,
): Draft {
  truth.datetime = iso(w);
  f.put(L('datetime'), `${ymd(w, '/')} ${hms(w)}`, { long: true });
  p.rule('-');
  p.line('ABCDEFGHIJKLMNOPQRSTUVWXYZ'.slice(0, Math.min(26, p.width)));
  p.line('0123456789');
  p.line('打印机测试 中文字符显示正常');
  if (chance(rnd, 0.5)) p.line('此单据仅供测试,不作交易凭证');
  if (copyText && copyAtBottom) p.centered(copyText());
  return { bytes: p.finish(rnd), truth, lines: p.lines, tags, kind: 'unionpay' };
}
